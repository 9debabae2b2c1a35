"""The analysis floor: measurements — loudness (BS.1770 / EBU R128), peaks, spectrum, stereo, problems, tempo."""
