"""The growing WAV: valid at every header refresh, exact samples, repair of an interrupted file."""

import os

import numpy as np
import pytest
import soundfile as sf

from studioflow.audio.files import read
from studioflow.errors import AudioFileError
from studioflow.recording.takewriter import DATA_OFFSET, TakeWriter, repair


@pytest.mark.parametrize("bits,subtype,tol", [(16, "PCM_16", 2 ** -15), (24, "PCM_24", 2 ** -23), (32, "FLOAT", 0)])
def test_round_trip(tmp_path, bits, subtype, tol):
    x = np.random.default_rng(0).uniform(-1, 1, (3001, 2)).astype(np.float32)
    with TakeWriter(tmp_path / "t.wav", 44100, 2, bits) as w:
        w.write(x[:1000])
        w.write(x[1000:])
    audio, rate = read(tmp_path / "t.wav")
    assert rate == 44100 and sf.info(tmp_path / "t.wav").subtype == subtype
    assert np.max(np.abs(audio.T - x)) <= tol


def test_file_is_valid_while_growing_and_never_overwritten(tmp_path):
    w = TakeWriter(tmp_path / "t.wav", 48000, 1, 24, header_every_s=0)
    w.write(np.full((480, 1), 0.25, np.float32))
    audio, _ = read(tmp_path / "t.wav")                   # read while still open
    assert audio.shape == (1, 480) and audio[0, 0] == 0.25
    with pytest.raises(FileExistsError):
        TakeWriter(tmp_path / "t.wav", 48000, 1)
    w.close()


def test_repair_sets_sizes_from_the_data_on_disk(tmp_path):
    path = tmp_path / "t.wav"
    w = TakeWriter(path, 48000, 1, 24, header_every_s=3600)       # header written once, at 0 frames
    w.write(np.full((1000, 1), -0.5, np.float32))
    w._file.flush()
    os.write(os.open(path, os.O_WRONLY | os.O_APPEND), b"\x01")   # half a frame from a crash mid-write
    assert sf.info(path).frames == 0
    assert repair(path) == 1000
    audio, _ = read(path)
    assert audio.shape == (1, 1000) and np.all(audio == -0.5)
    w._file.close()


def test_repair_refuses_other_files(tmp_path):
    path = tmp_path / "x.wav"
    path.write_bytes(b"RIFF" + bytes(DATA_OFFSET))
    with pytest.raises(AudioFileError, match="not a studioflow take"):
        repair(path)
