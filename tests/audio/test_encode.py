"""PyAV lossy round trips: length and timing kept (encoder delay and padding trimmed), level sensible, errors."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest

from studioflow.audio.encode import DecodeReader, decode, encode, encode_blocks
from studioflow.errors import AudioFileError, ParameterError


def _tone(rate: int, frames: int, channels: int = 2) -> np.ndarray:
    t = np.arange(frames) / rate
    x = 0.5 * np.sin(2 * np.pi * 1000 * t)
    return np.tile(x, (channels, 1)).astype(np.float32)


@pytest.mark.parametrize("codec,suffix,rate,out_rate", [
    ("mp3", ".mp3", 44100, 44100), ("mp3", ".mp3", 48000, 48000), ("mp3", ".mp3", 96000, 48000),
    ("aac", ".m4a", 44100, 44100), ("aac", ".m4a", 48000, 48000),
    ("opus", ".opus", 48000, 48000), ("opus", ".ogg", 44100, 48000)])
def test_round_trip_keeps_length_timing_and_level(tmp_path, codec, suffix, rate, out_rate):
    frames = int(0.6 * rate) + 37  # not a whole number of codec frames
    x = _tone(rate, frames)
    path = encode(x, rate, tmp_path / f"t{suffix}", codec=codec, bitrate_kbps=256)
    assert [p.name for p in tmp_path.iterdir()] == [f"t{suffix}"]
    y, got_rate = decode(path)
    assert got_rate == out_rate and y.dtype == np.float32 and y.shape[0] == 2
    excess = y.shape[1] - frames * out_rate / rate  # priming and end padding removed, exactly (the LAME tag's
    # padding is set by us, as FFmpeg's writer under-records it for 0.6 s + 37 at 44.1 kHz)
    assert abs(excess) <= (0 if out_rate == rate else 1)
    # timing: the decoded tone lines up with the analytic one (a one-sample shift would leave a -17 dB residual)
    reference = _tone(out_rate, y.shape[1])
    middle = slice(out_rate // 20, -out_rate // 20)
    residual_db = 10 * np.log10(np.mean((y[:, middle] - reference[:, middle]) ** 2) / np.mean(reference ** 2))
    assert residual_db < -30
    level_db = 10 * np.log10(np.mean(y[:, middle] ** 2) / np.mean(reference[:, middle] ** 2))
    assert abs(level_db) < 0.1


def test_mono_round_trip_and_decode_of_a_wav(tmp_path):
    x = _tone(48000, 24000, channels=1)
    y, rate = decode(encode(x[0], 48000, tmp_path / "m.mp3", bitrate_kbps=128))
    assert y.shape == (1, 24000) and rate == 48000

    from studioflow.audio.files import write
    write(tmp_path / "w.wav", x, 48000, subtype="PCM_16")
    y, rate = decode(tmp_path / "w.wav")  # integer samples scaled like files.read
    np.testing.assert_allclose(y, np.round(x * 32768) / 32768, atol=0)


def test_bad_requests_are_refused_and_leave_nothing(tmp_path):
    x = _tone(48000, 4800)
    with pytest.raises(AudioFileError, match=r"x.mp3: aac goes in a .m4a file, not .mp3"):
        encode(x, 48000, tmp_path / "x.mp3", codec="aac")
    with pytest.raises(ParameterError, match="codec must be one of"):
        encode(x, 48000, tmp_path / "x.mp3", codec="vorbis")
    with pytest.raises(ParameterError, match="bitrate_kbps for mp3"):
        encode(x, 48000, tmp_path / "x.mp3", bitrate_kbps=500)
    with pytest.raises(AudioFileError, match="cannot encode audio shaped"):
        encode(np.zeros((6, 100), np.float32), 48000, tmp_path / "x.mp3")
    bad = x.copy()
    bad[0, 10] = np.nan
    with pytest.raises(AudioFileError, match="x.opus: cannot encode NaN"):
        encode(bad, 48000, tmp_path / "x.opus", codec="opus")
    assert list(tmp_path.iterdir()) == []


def test_decode_errors_name_the_file(tmp_path):
    with pytest.raises(AudioFileError, match="gone.mp3: no such file"):
        decode(tmp_path / "gone.mp3")
    (tmp_path / "e.m4a").write_bytes(b"")
    with pytest.raises(AudioFileError, match="e.m4a: the file is empty"):
        decode(tmp_path / "e.m4a")
    (tmp_path / "junk.mp3").write_bytes(b"\x01\x02 this is not audio " * 10)
    with pytest.raises(AudioFileError, match="junk.mp3: "):
        decode(tmp_path / "junk.mp3")


def _odd_blocks(x: np.ndarray) -> list[np.ndarray]:
    """``x`` cut into blocks of odd sizes, some empty and some of a single frame."""
    sizes = itertools.cycle([1, 0, 37, 1151, 4097, 9000, 577])
    blocks, pos = [], 0
    while pos < x.shape[1]:
        blocks.append(x[:, pos:pos + next(sizes)])
        pos += blocks[-1].shape[1]
    return blocks


@pytest.mark.parametrize("codec,suffix,rate", [
    ("mp3", ".mp3", 44100), ("mp3", ".mp3", 96000), ("aac", ".m4a", 48000), ("opus", ".opus", 44100)])
def test_blocks_of_any_sizes_encode_as_the_whole_array_does(tmp_path, codec, suffix, rate):
    x = (0.3 * np.random.default_rng(1).standard_normal((2, int(0.9 * rate) + 37))).astype(np.float32)
    whole = encode(x, rate, tmp_path / f"whole{suffix}", codec=codec, bitrate_kbps=160)
    blocks = _odd_blocks(x)
    assert len(blocks) > 15 and any(b.shape[1] == 0 for b in blocks)
    streamed = encode_blocks(iter(blocks), rate, 2, tmp_path / f"blocks{suffix}", codec=codec, bitrate_kbps=160,
                             frames=x.shape[1])   # the length known, as encode knows it
    if codec != "opus":  # an Ogg file carries a random stream serial number; the audio in it is what matters
        assert streamed.read_bytes() == whole.read_bytes()
    y_whole, _ = decode(whole)
    y_blocks, _ = decode(streamed)
    np.testing.assert_array_equal(y_blocks, y_whole)   # the 96 kHz MP3 is resampled in a stream, the same


@pytest.mark.parametrize("codec,suffix", [("mp3", ".mp3"), ("aac", ".m4a"), ("opus", ".opus")])
def test_decode_reader_gives_what_decode_gives_in_blocks(tmp_path, codec, suffix):
    frames = 48000 + 1500   # not a whole number of codec frames: the last one is padded
    path = encode(_tone(48000, frames), 48000, tmp_path / f"t{suffix}", codec=codec, bitrate_kbps=128)
    whole, rate = decode(path)
    assert whole.shape[1] == frames or codec == "mp3"   # MP4 and Ogg: the end padding cut to the sample
    for block_frames in (1000, 4097, 65536):
        reader = DecodeReader(path, block_frames)
        assert (reader.sample_rate, reader.channels) == (rate, 2)
        blocks = list(reader)
        assert [b.shape[1] for b in blocks[:-1]] == [block_frames] * (len(blocks) - 1)
        assert 0 < blocks[-1].shape[1] <= block_frames
        assert all(b.dtype == np.float32 and b.flags.c_contiguous for b in blocks)
        np.testing.assert_array_equal(np.concatenate(blocks, axis=1), whole)
    assert [b.shape for b in DecodeReader(path, 30000)] == [b.shape for b in DecodeReader(path, 30000)]


def test_blocks_are_checked_as_they_come_and_a_refusal_leaves_nothing(tmp_path):
    x = _tone(48000, 48000)
    bad = x.copy()
    bad[1, 30000] = np.inf
    with pytest.raises(AudioFileError, match=r"x.m4a: cannot encode NaN or Inf samples \(the first at 0.625 s\)"):
        encode_blocks((bad[:, i:i + 10000] for i in range(0, 48000, 10000)), 48000, 2, tmp_path / "x.m4a",
                      codec="aac", bitrate_kbps=128)
    with pytest.raises(AudioFileError, match=r"x.mp3: cannot encode audio shaped \(1, 100\) as 2-channel mp3"):
        encode_blocks([x[:, :100], x[:1, :100]], 48000, 2, tmp_path / "x.mp3")
    with pytest.raises(AudioFileError, match=r"x.mp3: cannot encode audio shaped \(6, frames\) as mp3"):
        encode_blocks([], 48000, 6, tmp_path / "x.mp3")

    def failing_source():
        yield x[:, :5000]
        raise ValueError("the source broke")

    with pytest.raises(ValueError, match="^the source broke$"):   # passed on as it is, not as an encoder error
        encode_blocks(failing_source(), 48000, 2, tmp_path / "x.opus", codec="opus", bitrate_kbps=128)
    assert list(tmp_path.iterdir()) == []


def test_a_minute_is_encoded_and_decoded_in_flat_memory(tmp_path):
    rate, seconds, block = 48000, 60, 1 << 16
    whole_bytes = 2 * rate * seconds * 4     # the minute as one float32 stereo array: 23 MB

    def minute():
        for pos in range(0, rate * seconds, block):
            t = np.arange(pos, min(pos + block, rate * seconds)) / rate
            yield np.tile(0.5 * np.sin(2 * np.pi * 440 * t), (2, 1)).astype(np.float32)

    decode(encode(_tone(rate, 4800), rate, tmp_path / "warm.m4a", codec="aac", bitrate_kbps=128))  # imports PyAV
    tracemalloc.start()
    try:
        path = encode_blocks(minute(), rate, 2, tmp_path / "minute.m4a", codec="aac", bitrate_kbps=128)
        _, encode_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        frames = sum(b.shape[1] for b in DecodeReader(path, block))
        _, decode_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames == rate * seconds
    assert encode_peak < whole_bytes / 4 and decode_peak < whole_bytes / 4


@pytest.mark.parametrize("frames", [26497, 33456, 51200, 88323])
def test_mp3_and_aac_decode_in_ffmpeg_to_the_exact_length(tmp_path, frames):
    # the ffmpeg tool (not our decoder): MP3 by its LAME tag, AAC by its edit list with the end on a whole frame
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg (scripts/setup-system.sh)")
    from mutagen.mp4 import MP4

    x = _tone(44100, frames)
    for codec, suffix in (("mp3", ".mp3"), ("aac", ".m4a")):
        path = encode(x, 44100, tmp_path / f"t{suffix}", codec=codec, bitrate_kbps=256)
        pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-"], check=True,
                             capture_output=True).stdout
        y = np.frombuffer(pcm, np.float32).reshape(-1, 2).T
        assert y.shape[1] == frames, codec
        assert np.max(np.abs(y[:, 2000:-2000] - x[:, 2000:-2000])) < 0.01          # and in time
    smpb = bytes(MP4(tmp_path / "t.m4a").tags["----:com.apple.iTunes:iTunSMPB"][0]).decode().split()
    assert int(smpb[2], 16) == 0 and int(smpb[3], 16) == frames                 # no end padding, the length
