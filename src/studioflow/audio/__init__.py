"""The audio floor: the audio type and files — read, write, stream in blocks, resample, encode, tag."""
