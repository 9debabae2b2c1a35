"""files.read / write / info: formats, exact integer code values, atomic writes, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from signals import sine

from studioflow.audio import files
from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.errors import AudioFileError

RATE = 48000


def _codes(bits: int, n: int = 4000, channels: int = 2, seed: int = 1) -> np.ndarray:
    """Random integer codes covering the full range of a ``bits``-bit format, shape (channels, n)."""
    rng = np.random.default_rng(seed)
    full = 1 << (bits - 1)
    codes = rng.integers(-full, full, size=(channels, n), dtype=np.int64)
    codes[:, :2] = [[-full, full - 1]] * channels
    return codes


def _write_codes(path, codes: np.ndarray, bits: int, **kwargs) -> None:
    """Write integer codes through libsndfile directly (a file made by someone else)."""
    if bits == 16:
        data = codes.T.astype(np.int16)
    else:
        data = (codes.T << (32 - bits)).astype(np.int32)
    sf.write(path, data, RATE, **kwargs)


@pytest.mark.parametrize("bits,subtype,fmt", [(16, "PCM_16", "WAV"), (24, "PCM_24", "WAV"), (32, "PCM_32", "WAV"),
                                             (24, "PCM_24", "WAVEX"), (24, "PCM_24", "RF64"),
                                             (16, "PCM_16", "AIFF"), (24, "PCM_24", "FLAC")])
def test_read_integer_formats_scale_codes_by_full_scale(tmp_path, bits, subtype, fmt):
    suffix = {"WAV": ".wav", "WAVEX": ".wav", "RF64": ".wav", "AIFF": ".aiff", "FLAC": ".flac"}[fmt]
    path = tmp_path / f"in{suffix}"
    codes = _codes(bits)
    _write_codes(path, codes, bits, subtype=subtype, format=fmt)
    audio, rate = files.read(path)
    assert rate == RATE
    assert audio.dtype == np.float32 and audio.flags.c_contiguous and audio.shape == codes.shape
    expected = (codes / float(1 << (bits - 1))).astype(np.float32)  # float32 rounding for 32-bit codes
    np.testing.assert_array_equal(audio, expected)
    got = files.info(path)
    assert (got.format, got.subtype, got.frames, got.channels) == (fmt, subtype, codes.shape[1], 2)


def test_wavex_and_rf64_headers_are_what_we_think(tmp_path):
    _write_codes(tmp_path / "x.wav", _codes(16), 16, subtype="PCM_16", format="WAVEX")
    _write_codes(tmp_path / "r.wav", _codes(16), 16, subtype="PCM_16", format="RF64")
    head = (tmp_path / "x.wav").read_bytes()[:64]
    assert head[20:22] == (0xFFFE).to_bytes(2, "little")  # WAVE_FORMAT_EXTENSIBLE
    assert (tmp_path / "r.wav").read_bytes()[:4] == b"RF64"


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_read_float_wav_is_exact(tmp_path, subtype):
    x = sine(997, 0.1, RATE, -3.0, channels=2)
    x[1] *= -1.7  # float files may exceed full scale; read returns it as it is
    sf.write(tmp_path / "f.wav", x.T, RATE, subtype=subtype)
    audio, _ = files.read(tmp_path / "f.wav")
    np.testing.assert_array_equal(audio, x)


@pytest.mark.parametrize("fmt,subtype,suffix", [("OGG", "VORBIS", ".ogg"), ("MP3", "MPEG_LAYER_III", ".mp3")])
def test_read_lossy_formats_keep_level_and_length(tmp_path, fmt, subtype, suffix):
    x = sine(1000, 1.0, RATE, -6.0, channels=2)
    sf.write(tmp_path / f"l{suffix}", x.T, RATE, format=fmt, subtype=subtype)
    audio, rate = files.read(tmp_path / f"l{suffix}")
    assert rate == RATE and audio.shape[0] == 2
    assert abs(audio.shape[1] - x.shape[1]) <= 2304  # at most two MP3 frames of delay/padding
    rms_db = 20 * np.log10(np.sqrt(np.mean(audio[:, 4800:40000] ** 2)))
    assert rms_db == pytest.approx(-6.0 - 3.0103, abs=0.3)


def test_write_16_bit_code_values(tmp_path):
    lsb = 1 / 32768
    x = np.array([[0.5, 1.0, -1.0, 1.5, -1.5, 0.0, 100.4 * lsb, 100.6 * lsb, -100.6 * lsb, 2.5 * lsb, 3.5 * lsb]],
                 dtype=np.float64)
    files.write(tmp_path / "c.wav", x, RATE, subtype="PCM_16")
    codes, _ = sf.read(tmp_path / "c.wav", dtype="int16", always_2d=True)
    # round to nearest (ties to even), clip to [-32768, 32767]
    assert codes[:, 0].tolist() == [16384, 32767, -32768, 32767, -32768, 0, 100, 101, -101, 2, 4]


def test_write_24_bit_code_values_and_round_trip_exact(tmp_path):
    x = np.array([[0.5, 1.0, -1.0, 2.0, -2.0, 2 ** -23, -(2 ** -23)]], dtype=np.float32)
    files.write(tmp_path / "c.wav", x, RATE)
    codes, _ = sf.read(tmp_path / "c.wav", dtype="int32", always_2d=True)
    assert (codes[:, 0] >> 8).tolist() == [1 << 22, (1 << 23) - 1, -(1 << 23), (1 << 23) - 1, -(1 << 23), 1, -1]

    rng = np.random.default_rng(3)
    y = rng.uniform(-1, 1, size=(2, 20000)).astype(np.float32)
    for suffix in (".wav", ".flac"):
        files.write(tmp_path / f"r{suffix}", y, RATE, subtype="PCM_24")
        back, _ = files.read(tmp_path / f"r{suffix}")
        assert np.max(np.abs(back.astype(np.float64) - y)) <= 2.0 ** -24  # half a 24-bit step


def _rule_codes(x: np.ndarray, bits: int) -> np.ndarray:
    """The documented rule in its plainest numpy form, in float64: clip(rint(x * 2**(bits-1))), (frames, channels)."""
    full = float(1 << (bits - 1))
    return np.clip(np.rint(np.asarray(x, dtype=np.float64).T * full), -full, full - 1).astype(np.int64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bits,subtype", [(16, "PCM_16"), (24, "PCM_24")])
def test_integer_writes_match_the_rule_bit_for_bit(tmp_path, bits, subtype, dtype):
    rng = np.random.default_rng(bits)
    full = 1 << (bits - 1)
    x = rng.uniform(-1.6, 1.6, size=(2, 70000)).astype(dtype)            # over full scale too; past one chunk
    ties = (rng.integers(-full - 40, full + 40, size=(2, 3000)) + 0.5) / full  # exact halves, both parities
    x[:, :3000] = ties.astype(dtype)
    x[:, 3000:3006] = [[1.0, -1.0, 1e30, -1e30, (full - 0.5) / full, -(full + 0.5) / full]] * 2
    want = _rule_codes(x, bits)
    direct = files._to_file_samples(x, subtype, tmp_path / "x.wav", RATE)
    assert direct.dtype == (np.int16 if bits == 16 else np.int32) and direct.flags.c_contiguous
    np.testing.assert_array_equal(direct.astype(np.int64) >> (32 - bits if bits == 24 else 0), want)
    read_as = "int16" if bits == 16 else "int32"
    files.write(tmp_path / "w.wav", x, RATE, subtype=subtype)
    for name in ("s.flac", "s.wav"):
        with BlockWriter(tmp_path / name, RATE, 2, subtype=subtype) as out:
            for pos in (0, 1, 4801, 65536 + 4801):                        # blocks of changing sizes
                out.write(x[:, pos:{0: 1, 1: 4801, 4801: 65536 + 4801}.get(pos, x.shape[1])])
    for name in ("w.wav", "s.flac", "s.wav"):
        codes, _ = sf.read(tmp_path / name, dtype=read_as, always_2d=True)
        np.testing.assert_array_equal(codes.astype(np.int64) >> (32 - bits if bits == 24 else 0), want)


def test_write_float_round_trip_is_bit_exact(tmp_path):
    x = sine(440, 0.05, RATE, 0.0, channels=3) * 1.5
    files.write(tmp_path / "f.wav", x, RATE, subtype="FLOAT")
    back, rate = files.read(tmp_path / "f.wav")
    np.testing.assert_array_equal(back, x)
    assert rate == RATE and files.info(tmp_path / "f.wav").subtype == "FLOAT"


def test_small_wav_is_plain_riff_and_mono_1d_accepted(tmp_path):
    files.write(tmp_path / "m.wav", np.zeros(100, dtype=np.float32), 44100)
    assert (tmp_path / "m.wav").read_bytes()[:4] == b"RIFF"
    got = files.info(tmp_path / "m.wav")
    assert (got.channels, got.frames, got.sample_rate, got.format) == (1, 100, 44100, "WAV")
    assert got.duration_s == pytest.approx(100 / 44100)


def test_read_part_by_seconds(tmp_path):
    x = sine(100, 1.0, RATE, -1.0, channels=2)
    files.write(tmp_path / "p.wav", x, RATE, subtype="FLOAT")
    part, _ = files.read(tmp_path / "p.wav", start_s=0.25, stop_s=0.5)
    np.testing.assert_array_equal(part, x[:, 12000:24000])
    with pytest.raises(AudioFileError, match="p.wav: cannot read"):
        files.read(tmp_path / "p.wav", start_s=0.5, stop_s=2.0)


@pytest.mark.parametrize("name,subtype,needle", [("x.mp3", "PCM_16", "cannot write .mp3"),
                                                  ("x.flac", "FLOAT", "cannot write FLAC as 'FLOAT'"),
                                                  ("x.wav", "PCM_8", "cannot write WAV as 'PCM_8'")])
def test_unsupported_write_leaves_nothing(tmp_path, name, subtype, needle):
    with pytest.raises(AudioFileError, match=needle):
        files.write(tmp_path / name, np.zeros((1, 10), np.float32), RATE, subtype=subtype)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "mix.wav"
    files.write(target, np.full((2, 10), 0.5, np.float32), RATE)
    before = target.read_bytes()
    bad = np.zeros((2, 200000), np.float32)
    bad[1, 150000] = np.nan  # in the third internal chunk, after some data was written
    with pytest.raises(AudioFileError, match=r"mix.wav: cannot write a NaN sample in channel 2 at 3.125000 s"):
        files.write(target, bad, RATE)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mix.wav"]


def _one_line(exc_info) -> str:
    text = str(exc_info.value)
    assert "\n" not in text
    return text


def test_missing_empty_and_non_audio_files(tmp_path):
    with pytest.raises(AudioFileError) as exc:
        files.read(tmp_path / "nope.wav")
    assert _one_line(exc) == f"{tmp_path / 'nope.wav'}: no such file"
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioFileError) as exc:
        files.info(tmp_path / "empty.wav")
    assert "empty.wav: the file is empty" in _one_line(exc)
    (tmp_path / "notes.wav").write_text("these are not samples\n" * 20)
    with pytest.raises(AudioFileError) as exc:
        files.read(tmp_path / "notes.wav")
    assert "notes.wav: not a readable audio file" in _one_line(exc)


@pytest.mark.parametrize("fmt,suffix", [("WAV", ".wav"), ("RF64", ".wav"), ("WAVEX", ".wav"), ("AIFF", ".aiff")])
def test_truncated_files_are_detected(tmp_path, fmt, suffix):
    whole = tmp_path / f"whole{suffix}"
    sf.write(whole, np.zeros((48000, 2), np.int16), RATE, subtype="PCM_16", format=fmt)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    for call in (files.read, files.info):
        with pytest.raises(AudioFileError) as exc:
            call(cut)
        assert f"cut{suffix}: truncated: its header promises 192000 bytes" in _one_line(exc)


def test_truncated_flac_is_an_error_not_garbage(tmp_path):
    whole = tmp_path / "whole.flac"
    sf.write(whole, np.random.default_rng(0).uniform(-0.5, 0.5, (96000, 1)), RATE, subtype="PCM_16")
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 3 // 4])
    with pytest.raises(AudioFileError) as exc:
        files.read(cut)
    assert "cut.flac: " in _one_line(exc) and "truncated" in str(exc.value)


@pytest.mark.parametrize("bad,word", [(np.nan, "NaN"), (np.inf, "Inf"), (-np.inf, "Inf")])
def test_nan_and_inf_samples_name_channel_and_time(tmp_path, bad, word):
    x = np.zeros((2, 96000), np.float32)
    x[1, 72000] = bad  # channel 2 at 1.5 s
    x[0, 90000] = np.nan  # a later one in channel 1 must not be the one reported
    sf.write(tmp_path / "n.wav", x.T, RATE, subtype="FLOAT")
    with pytest.raises(AudioFileError) as exc:
        files.read(tmp_path / "n.wav")
    assert _one_line(exc) == f"{tmp_path / 'n.wav'}: {word} sample in channel 2 at 1.500000 s (frame 72000)"


def test_wav_too_big_for_riff_is_written_as_rf64(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_WAV_MAX_DATA_BYTES", 1000)  # stand-in for 4 GiB, so the test stays small
    x = sine(440, 0.01, RATE, -1.0, channels=2)  # 480 frames * 2 channels * 3 bytes > 1000
    files.write(tmp_path / "big.wav", x, RATE)
    assert (tmp_path / "big.wav").read_bytes()[:4] == b"RF64"
    back, _ = files.read(tmp_path / "big.wav")
    assert files.info(tmp_path / "big.wav").format == "RF64"
    assert np.max(np.abs(back - x)) <= 2.0 ** -24


def test_mp3_without_xing_header_reads_to_its_end(tmp_path):
    """Without a Xing/Info header libsndfile estimates an MP3's length from its size: no false 'truncated'."""
    import av

    path = tmp_path / "cbr.mp3"
    x = sine(1000, 1.37, 44100, -6.0, channels=2)
    with av.open(str(path), "w", options={"write_xing": "0"}) as container:
        stream = container.add_stream("libmp3lame", rate=44100, layout="stereo")
        stream.bit_rate = 128000
        frame = av.AudioFrame.from_ndarray(x, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = 44100, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    audio, rate = files.read(path)
    assert rate == 44100 and audio.flags.c_contiguous
    assert 0 <= audio.shape[1] - x.shape[1] <= 2 * 1152 + 529  # no gapless info: delay and padding stay
    assert sum(b.shape[1] for b in BlockReader(path, 1000)) == audio.shape[1]


@pytest.mark.parametrize("fmt", ["WAV", "WAVEX", "RF64"])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_24_bit_wav_reads_equal_libsndfile_bit_for_bit(tmp_path, fmt, channels):
    """24-bit WAV is decoded by our kernel from the raw bytes: the same floats as libsndfile's own conversion, for
    the whole file, a part of it and any block size."""
    rng = np.random.default_rng(channels)
    codes = rng.integers(-(1 << 23), 1 << 23, size=(70001, channels), dtype=np.int32)
    codes[:4] = [[-(1 << 23)] * channels, [(1 << 23) - 1] * channels, [0] * channels, [-1] * channels]
    path = tmp_path / "c.wav"
    sf.write(path, codes << 8, RATE, subtype="PCM_24", format=fmt)
    want = sf.read(path, dtype="float32", always_2d=True)[0].T
    got, _ = files.read(path)
    assert got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:, :4] * 2.0 ** 23, codes[:4].T)
    part, _ = files.read(path, start_s=4801 / RATE, stop_s=65537 / RATE)
    np.testing.assert_array_equal(part, want[:, 4801:65537])
    for size in (1, 4801, 65536):
        if size == 1:
            blocks = list(BlockReader(path, 1, stop_s=300 / RATE))
            np.testing.assert_array_equal(np.concatenate(blocks, axis=1), want[:, :300])
            continue
        np.testing.assert_array_equal(np.concatenate(list(BlockReader(path, size)), axis=1), want)


@pytest.mark.parametrize("frames", [None, 70001])
def test_24_bit_wav_written_as_bytes_is_the_file_libsndfile_writes(tmp_path, frames):
    """Our byte packing gives the very file libsndfile writes from the same codes (header, data and all)."""
    x = np.random.default_rng(5).uniform(-1.2, 1.2, size=(2, 70001)).astype(np.float32)
    ours = tmp_path / "ours.wav"
    if frames is None:                                             # streamed: RF64 auto-downgrade header
        with BlockWriter(ours, RATE, 2, subtype="PCM_24") as out:
            for pos in range(0, x.shape[1], 30000):
                out.write(x[:, pos:pos + 30000])
        fmt = "RF64"
    else:
        files.write(ours, x, RATE, subtype="PCM_24")
        fmt = "WAV"
    theirs = tmp_path / "theirs.wav"
    with sf.SoundFile(theirs, "w", RATE, 2, "PCM_24", format=fmt) as handle:
        if frames is None:
            sf._snd.sf_command(handle._file, files._SFC_RF64_AUTO_DOWNGRADE, sf._ffi.NULL, 1)
        handle.write((_rule_codes(x, 24) << 8).astype(np.int32))
    assert ours.read_bytes() == theirs.read_bytes()


@pytest.mark.parametrize("fmt", ["WAV", "RF64"])
def test_float_wav_moved_as_bytes_matches_libsndfile(tmp_path, fmt):
    """Float WAV is written and read as bytes by our kernels: the same file and the same floats as libsndfile."""
    x = np.random.default_rng(9).standard_normal((3, 70001)).astype(np.float32)
    ours = tmp_path / "ours.wav"
    with BlockWriter(ours, RATE, 3, subtype="FLOAT") as out:
        for pos in range(0, x.shape[1], 30000):
            out.write(x[:, pos:pos + 30000].astype(np.float64))
    theirs = tmp_path / "theirs.wav"
    with sf.SoundFile(theirs, "w", RATE, 3, "FLOAT", format="RF64") as handle:
        sf._snd.sf_command(handle._file, files._SFC_RF64_AUTO_DOWNGRADE, sf._ffi.NULL, 1)
        handle.write(x.T)
    assert ours.read_bytes() == theirs.read_bytes()
    path = tmp_path / "f.wav"
    sf.write(path, x.T, RATE, subtype="FLOAT", format=fmt)
    np.testing.assert_array_equal(files.read(path)[0], x)
    np.testing.assert_array_equal(np.concatenate(list(BlockReader(path, 4801)), axis=1), x)


@pytest.mark.parametrize("subtype", ["PCM_24", "FLOAT"])
def test_empty_blocks_write_and_read_back(tmp_path, subtype):
    with BlockWriter(tmp_path / "e.wav", RATE, 2, subtype=subtype) as out:
        out.write(np.zeros((2, 0), np.float32))
        out.write(np.full((2, 3), 0.5, np.float32))
        out.write(np.zeros((2, 0), np.float32))
    np.testing.assert_array_equal(files.read(tmp_path / "e.wav")[0], np.full((2, 3), 0.5, np.float32))


@pytest.mark.parametrize("subtype", ["PCM_24", "FLOAT"])
def test_big_endian_rifx_wav_reads_like_libsndfile(tmp_path, subtype):
    """RIFX (a WAV stored big-endian) is left to libsndfile, not read as little-endian bytes."""
    x = np.random.default_rng(2).uniform(-0.9, 0.9, size=(2, 5000)).astype(np.float32)
    sf.write(tmp_path / "x.wav", x.T, RATE, subtype=subtype, format="WAV", endian="BIG")
    assert (tmp_path / "x.wav").read_bytes()[:4] == b"RIFX"
    want = sf.read(tmp_path / "x.wav", dtype="float32", always_2d=True)[0].T
    np.testing.assert_array_equal(files.read(tmp_path / "x.wav")[0], want)
    np.testing.assert_array_equal(np.concatenate(list(BlockReader(tmp_path / "x.wav", 777)), axis=1), want)
