"""BlockReader / BlockWriter / blocks: same samples as whole-file reads, checks per block, flat memory, atomic."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from signals import noise

from studioflow.audio import files
from studioflow.audio.stream import BlockReader, BlockWriter, blocks
from studioflow.errors import AudioFileError, ParameterError

RATE = 48000


@pytest.fixture
def stereo_file(tmp_path):
    x = noise(0.5, RATE, -12.0, channels=2)
    path = tmp_path / "n.wav"
    files.write(path, x, RATE, subtype="FLOAT")
    return path, x


@pytest.mark.parametrize("block_frames", [1, 1000, 4801, 24000, 65536])
def test_blocks_concatenate_to_the_whole_file(stereo_file, block_frames):
    path, x = stereo_file
    got = list(blocks(path, block_frames))
    assert all(b.dtype == np.float32 and b.flags.c_contiguous and b.shape[0] == 2 for b in got)
    assert all(b.shape[1] == block_frames for b in got[:-1])
    np.testing.assert_array_equal(np.concatenate(got, axis=1), x)


def test_reader_properties_part_and_reiteration(stereo_file):
    path, x = stereo_file
    reader = BlockReader(path, 5000, start_s=0.1, stop_s=0.3)
    assert (reader.sample_rate, reader.channels, reader.frames, len(reader)) == (RATE, 2, 9600, 2)
    assert reader.duration_s == pytest.approx(0.2)
    first = np.concatenate(list(reader), axis=1)
    np.testing.assert_array_equal(first, x[:, 4800:14400])
    np.testing.assert_array_equal(np.concatenate(list(reader), axis=1), first)


def test_reader_errors_come_when_made(tmp_path):
    with pytest.raises(AudioFileError, match="gone.wav: no such file"):
        BlockReader(tmp_path / "gone.wav")
    with pytest.raises(ParameterError, match="block_frames"):
        BlockReader(tmp_path / "gone.wav", 0)


def test_nan_found_in_a_later_block_names_its_time(tmp_path):
    x = np.zeros((1, 30000), np.float32)
    x[0, 25000] = np.nan
    sf.write(tmp_path / "n.wav", x.T, RATE, subtype="FLOAT")
    it = iter(BlockReader(tmp_path / "n.wav", 10000))
    assert next(it).shape == (1, 10000) and next(it).shape == (1, 10000)
    with pytest.raises(AudioFileError, match=r"n.wav: NaN sample in channel 1 at 0.520833 s \(frame 25000\)"):
        next(it)


@pytest.mark.parametrize("subtype,suffix", [("PCM_16", ".wav"), ("PCM_24", ".flac"), ("FLOAT", ".wav")])
def test_writer_matches_whole_write(tmp_path, subtype, suffix):
    x = noise(0.3, RATE, -6.0, channels=2) * 4  # some samples clip in integer formats
    files.write(tmp_path / f"whole{suffix}", x, RATE, subtype=subtype)
    with BlockWriter(tmp_path / f"blocks{suffix}", RATE, 2, subtype=subtype) as out:
        for pos in range(0, x.shape[1], 777):
            out.write(x[:, pos:pos + 777])
    assert out.frames == x.shape[1]
    whole, _ = files.read(tmp_path / f"whole{suffix}")
    streamed, _ = files.read(tmp_path / f"blocks{suffix}")
    np.testing.assert_array_equal(streamed, whole)
    assert files.info(tmp_path / f"blocks{suffix}").subtype == subtype


def test_streamed_wav_under_4_gib_is_riff(tmp_path):
    with BlockWriter(tmp_path / "s.wav", RATE, 1) as out:
        out.write(np.zeros(10, np.float32))
    assert (tmp_path / "s.wav").read_bytes()[:4] == b"RIFF"


def test_writer_error_leaves_nothing_and_keeps_old_file(tmp_path):
    target = tmp_path / "render.wav"
    files.write(target, np.full((2, 10), 0.25, np.float32), RATE)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="render failed"):
        with BlockWriter(target, RATE, 2) as out:
            out.write(np.zeros((2, 1000), np.float32))
            raise RuntimeError("render failed")
    with pytest.raises(AudioFileError, match="block has 1 channels, the file 2"):
        with BlockWriter(target, RATE, 2) as out:
            out.write(np.zeros((1, 1000), np.float32))
    bad = np.zeros((2, 1000), np.float32)
    bad[1, 300], bad[0, 700] = np.inf, np.nan                  # the earlier one, in channel 2, is reported
    with pytest.raises(AudioFileError, match=r"render.wav: cannot write a Inf sample in channel 2 at "
                                             r"0.027083 s \(frame 1300\)"):
        with BlockWriter(target, RATE, 2) as out:
            out.write(np.zeros((2, 1000), np.float32))
            out.write(bad)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["render.wav"]
    with pytest.raises(AudioFileError, match="cannot write FLAC as 'FLOAT'"):
        BlockWriter(tmp_path / "x.flac", RATE, 2, subtype="FLOAT")


def test_reading_ten_minutes_in_blocks_keeps_memory_flat(tmp_path):
    """A 10-minute mono file (16 kHz, 16-bit: 19 MB on disk, 38 MB as float32) read in 8192-frame blocks."""
    rate, minutes, block = 16000, 10, 8192
    path = tmp_path / "long.wav"
    one_second = (0.1 * np.sin(2 * np.pi * 250 * np.arange(rate) / rate)).astype(np.float32)[np.newaxis]
    with BlockWriter(path, rate, 1, subtype="PCM_16") as out:
        for _ in range(minutes * 60):
            out.write(one_second)
    size = path.stat().st_size
    assert size > 19_000_000

    tracemalloc.start()
    try:
        frames, peak_abs = 0, 0.0
        for b in BlockReader(path, block):
            frames += b.shape[1]
            peak_abs = max(peak_abs, float(np.abs(b).max()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames == minutes * 60 * rate
    assert peak_abs == pytest.approx(0.1, abs=1e-4)
    assert peak < size / 50  # a few blocks (32 kB each), nothing like the file


@pytest.mark.parametrize("scratch,syncs", [(False, 1), (True, 0)])
def test_outputs_are_synced_once_and_scratch_files_not_at_all(tmp_path, monkeypatch, scratch, syncs):
    import os

    calls = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd)))
    with BlockWriter(tmp_path / "o.wav", 48000, 2, subtype="FLOAT", scratch=scratch) as out:
        out.write(np.full((2, 4800), 0.25, np.float32))
    assert len(calls) == syncs
    back, _ = files.read(tmp_path / "o.wav")
    assert back.shape == (2, 4800) and np.all(back == np.float32(0.25))


@pytest.mark.parametrize("suffix,subtype", [(".wav", "PCM_24"), (".wav", "PCM_16"), (".flac", "PCM_24"),
                                            (".wav", "FLOAT")])
def test_write_held_returns_what_the_file_holds(tmp_path, suffix, subtype):
    x = noise(0.3, channels=2, rms_dbfs=-6, seed=3) * 1.8           # some samples over full scale
    held = []
    with BlockWriter(tmp_path / f"h{suffix}", 48000, 2, subtype=subtype) as out:
        for i in range(0, x.shape[1], 5000):
            held.append(out.write_held(x[:, i:i + 5000]))
    back, _ = files.read(tmp_path / f"h{suffix}")
    assert all(h.dtype == np.float32 for h in held)
    np.testing.assert_array_equal(np.concatenate(held, axis=1), back)
