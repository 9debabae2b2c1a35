"""Space processors: delay (``delay``), algorithmic FDN reverb (``reverb``) and convolution reverb (``convolution_reverb``)."""
