"""The DSP floor: processors (EQ, dynamics, space, stereo, saturation, dither, hosted plugins) and chains."""
