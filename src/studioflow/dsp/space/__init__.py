"""Space processors: delay (``delay``), FDN reverb (``reverb``) and convolution reverb (``convolution_reverb``)."""
