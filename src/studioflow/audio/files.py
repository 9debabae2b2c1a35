"""Audio files: read any of WAV/RF64/AIFF/FLAC/OGG/MP3 into float32 ``(channels, frames)``; write WAV and FLAC.

Reading goes through soundfile (libsndfile). Integer samples are scaled by ``1 / 2**(bits-1)`` (so a 16-bit code
``c`` reads as ``c / 32768``); float samples are read as they are. Every sample read is checked: a NaN or Inf raises
:class:`~studioflow.errors.AudioFileError` naming the channel and the time of the first one.

Writing integer formats follows one rule, done here rather than left to the library:
``code = clip(round_half_even(x * 2**(bits-1)), -2**(bits-1), 2**(bits-1) - 1)``.
So for 16-bit, 0.5 -> 16384, 1.0 -> 32767, -1.0 -> -32768, and anything beyond full scale is clipped; reading it
back gives ``code / 2**(bits-1)``, so a 24-bit round trip is exact to within 2**-24 for ``-1 <= x < 1``.
No dither is added here (that is ``dsp.dither``'s job, before the write).

24-bit and float WAV/RF64 samples are moved as bytes (``sf_read_raw``/``sf_write_raw``) and converted by our numba
kernels, 2-3x faster than libsndfile's conversion and identical to it bit for bit; other formats go through it.

>>> import tempfile, pathlib, numpy as np
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tone.wav"
>>> audio = np.zeros((2, 48000), dtype=np.float32); audio[:, 0] = 0.5
>>> write(path, audio, 48000, subtype="PCM_16")
PosixPath('...tone.wav')
>>> back, rate = read(path)
>>> back.shape, back.dtype, rate, float(back[0, 0])
((2, 48000), dtype('float32'), 48000, 0.5)
>>> info(path).duration_s, info(path).subtype
(1.0, 'PCM_16')
>>> read(path, start_s=0.5, stop_s=0.75)[0].shape
(2, 12000)
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf

from studioflow._kernels import native
from studioflow.audio.atomic import atomic_write
from studioflow.errors import AudioFileError, OutputError

__all__ = ["AudioInfo", "read", "write", "info", "WRITE_FORMATS", "WRITE_SUBTYPES"]

#: file suffix -> libsndfile major format we write
WRITE_FORMATS = {".wav": "WAV", ".flac": "FLAC"}
#: subtypes we write, per major format
WRITE_SUBTYPES = {"WAV": ("PCM_16", "PCM_24", "FLOAT"), "FLAC": ("PCM_16", "PCM_24")}
_INT_BITS = {"PCM_16": 16, "PCM_24": 24}
_ESTIMATED_LENGTH_FORMATS = {"MP3"}
_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}
_CHUNK_FRAMES = 65536
_RAW_FORMATS = {"WAV", "WAVEX", "RF64"}   # containers whose samples are stored little-endian
_SFC_RF64_AUTO_DOWNGRADE = 0x1210  # sndfile.h: an RF64 file that stays under 4 GiB is written as RIFF WAV
_WAV_MAX_DATA_BYTES = 0xFFFFFFFF - 1024 * 1024  # RIFF sizes are 32-bit; keep room for the header chunks
MIN_RATE, MAX_RATE, MAX_CHANNELS = 1000, 768000, 256   # what a file may claim; beyond is a damaged header


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds: sample rate (Hz), channels, frames, duration (s), container format and sample subtype."""

    path: Path
    sample_rate: int
    channels: int
    frames: int
    duration_s: float
    format: str
    subtype: str


# ----------------------------------------------------------------------------------------------------------- reading

def _check_exists(path: Path) -> None:
    if not path.exists():
        what = "a symbolic link to nothing (or a loop of links)" if path.is_symlink() else "no such file"
        raise AudioFileError(f"{path}: {what}")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not an audio file")
    if not path.is_file():
        raise AudioFileError(f"{path}: not a regular file (a pipe, socket or device); give an audio file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes)")


def _declared_data_shortfall(path: Path) -> tuple[int, int] | None:
    """For RIFF/RF64/AIFF files, return (declared data bytes, bytes present) when the file holds less than its
    header promises; None when the data is complete or the format is not one of those."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12:
            return None
        if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
            endian, data_id, ds64_size = "<", b"data", None
        elif head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
            endian, data_id, ds64_size = ">", b"SSND", None
        else:
            return None
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_size = struct.unpack(f"{endian}4sI", fh.read(8))
            if chunk_id == b"ds64":  # RF64: the real data size lives here (EBU Tech 3306)
                ds64 = fh.read(24)
                if len(ds64) == 24:
                    ds64_size = struct.unpack("<QQQ", ds64)[1]
            if chunk_id == data_id:
                declared = chunk_size
                if chunk_id == b"data" and chunk_size == 0xFFFFFFFF:
                    if ds64_size is None:
                        return None  # a stream written without a final size: nothing promised
                    declared = ds64_size
                present = size - (pos + 8)
                if chunk_id == b"SSND":  # its size counts the 8 bytes of offset and block size before the audio
                    declared, present = declared - 8, present - 8
                return (declared, present) if declared > present else None
            pos += 8 + chunk_size + (chunk_size & 1)
    return None


def _lib_message(exc: Exception) -> str:
    """libsndfile's message without its "Error : " prefix and final period."""
    text = getattr(exc, "error_string", None) or str(exc)
    return text.removeprefix("Error : ").rstrip(".").strip()


def _open_read(path: Path) -> sf.SoundFile:
    """Open ``path`` for reading after the checks every reader shares; raise AudioFileError for any problem."""
    _check_exists(path)
    shortfall = _declared_data_shortfall(path)
    if shortfall is not None:
        declared, present = shortfall
        raise AudioFileError(f"{path}: truncated: its header promises {declared} bytes of audio but the file "
                             f"holds {present}")
    try:
        handle = sf.SoundFile(os.fsencode(path))   # bytes: names that are not UTF-8 open too
    except sf.LibsndfileError as exc:
        raise AudioFileError(f"{path}: not a readable audio file ({_lib_message(exc)})") from None
    except (RuntimeError, TypeError) as exc:
        raise AudioFileError(f"{path}: not a readable audio file ({_lib_message(exc)})") from None
    if not MIN_RATE <= handle.samplerate <= MAX_RATE or not 0 < handle.channels <= MAX_CHANNELS:
        handle.close()
        raise AudioFileError(f"{path}: not a readable audio file (its header claims {handle.samplerate} Hz and "
                             f"{handle.channels} channels; audio runs at {MIN_RATE} to {MAX_RATE} Hz with 1 to "
                             f"{MAX_CHANNELS} channels): the file is damaged or not audio")
    return handle


def _check_finite(block: np.ndarray, path: Path, first_frame: int, rate: int, doing: str = "") -> None:
    """Raise if ``block`` (channels, n) holds NaN or Inf, naming the channel (1-based) and the time in seconds."""
    bad = ~np.isfinite(block)
    if not bad.any():
        return
    channel, frame = min(zip(*np.nonzero(bad)), key=lambda cf: (cf[1], cf[0]))
    value = block[channel, frame]
    what = "NaN" if np.isnan(value) else "Inf"
    at = first_frame + int(frame)
    raise AudioFileError(f"{path}: {doing}{what} sample in channel {int(channel) + 1} at {at / rate:.6f} s "
                         f"(frame {at})")


def _raw_width(handle: sf.SoundFile) -> int:
    """Bytes per sample when ``handle``'s samples are moved as bytes (``sf_read_raw``/``sf_write_raw``) and converted
    by our kernels: 24-bit PCM and 32-bit float stored little-endian in a RIFF-family container (3 or 4); else 0.
    Equal to libsndfile's own conversion bit for bit (tested) and 2-3x faster."""
    if handle.format not in _RAW_FORMATS or handle.endian == "BIG":     # RIFX: a big-endian WAV
        return 0
    return {"PCM_24": 3, "FLOAT": 4}.get(handle.subtype, 0)


def _read_chunks(handle: sf.SoundFile, path: Path, start: int, stop: int, block_frames: int,
                 out: np.ndarray | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (first frame, float32 ``(channels, n)`` block) for frames [start, stop): slices of ``out`` (channels,
    stop - start) when given, else a new C-ordered array per block; raise on short reads and on NaN/Inf samples.

    A file that ends before its header says is truncated, except MP3, whose length libsndfile estimates from the
    file size when there is no Xing/Info header: there reading simply stops where the audio ends.
    """
    rate, channels = handle.samplerate, handle.channels
    if start:
        handle.seek(start)
    frames = min(block_frames, max(stop - start, 1))
    width = _raw_width(handle)
    check = handle.subtype in _FLOAT_SUBTYPES
    buffer = np.empty(frames * channels * width, np.uint8) if width else np.empty((frames, channels), np.float32)
    pos = start
    while pos < stop:
        want = min(block_frames, stop - pos)
        try:
            if width:
                got = int(sf._snd.sf_read_raw(handle._file, sf._ffi.from_buffer(buffer), want * channels * width)) \
                    // (channels * width)
                if handle._errorcode:
                    raise sf.LibsndfileError(handle._errorcode)
            else:
                got = handle.read(want, dtype="float32", always_2d=True, out=buffer[:want]).shape[0]
        except sf.LibsndfileError as exc:
            raise AudioFileError(f"{path}: corrupt or truncated near {pos / rate:.3f} s "
                                 f"({_lib_message(exc)})") from None
        if got < want and handle.format not in _ESTIMATED_LENGTH_FORMATS:
            raise AudioFileError(f"{path}: truncated: audio ends at {(pos + got) / rate:.3f} s but the header "
                                 f"promises {handle.frames / rate:.3f} s")
        if got == 0:
            return
        block = out[:, pos - start:pos - start + got] if out is not None else np.empty((channels, got), np.float32)
        if width == 3:
            native.pcm24_floats(buffer[:got * channels * 3], block)
        elif width == 4:
            stored = buffer[:got * channels * 4].view("<f4").reshape(got, channels).T
            if native.float_frames(stored, 0, got, block.T) >= 0:
                _check_finite(stored, path, pos, rate)
        else:
            block[...] = buffer[:got].T      # transposed once, from libsndfile's interleaved float32
            if check:
                _check_finite(block, path, pos, rate)
        yield pos, block
        pos += got
        if got < want:
            return


def _iter_blocks(handle: sf.SoundFile, path: Path, start: int, stop: int, block_frames: int) -> Iterator[np.ndarray]:
    """Yield float32 (channels, n) C-contiguous blocks of frames [start, stop), checked for NaN/Inf and short reads
    (see ``_read_chunks``)."""
    for _, block in _read_chunks(handle, path, start, stop, block_frames):
        yield block


def _frame_range(path: Path, rate: int, frames: int, start_s: float | None, stop_s: float | None) -> tuple[int, int]:
    start = 0 if start_s is None else int(round(start_s * rate))
    stop = frames if stop_s is None else int(round(stop_s * rate))
    if start < 0 or stop > frames or start > stop:
        raise AudioFileError(f"{path}: cannot read {start_s} s to {stop_s} s of a file that lasts "
                             f"{frames / rate:.6f} s")
    return start, stop


def read(path: str | os.PathLike[str], *, start_s: float | None = None,
         stop_s: float | None = None) -> tuple[np.ndarray, int]:
    """Read an audio file into float32 ``(channels, frames)`` and its sample rate (Hz); optionally only the part
    from ``start_s`` to ``stop_s`` (seconds).

    >>> audio, rate = read("take.wav")                      # doctest: +SKIP
    >>> chorus, rate = read("mix.flac", start_s=30.0, stop_s=45.0)   # doctest: +SKIP
    """
    path = Path(path)
    with _open_read(path) as handle:
        start, stop = _frame_range(path, handle.samplerate, handle.frames, start_s, stop_s)
        out = np.empty((handle.channels, stop - start), dtype=np.float32)
        pos = 0
        for _, part in _read_chunks(handle, path, start, stop, _CHUNK_FRAMES, out):
            pos += part.shape[1]
        if pos < out.shape[1]:  # an MP3 shorter than libsndfile's estimate
            out = np.ascontiguousarray(out[:, :pos])
        return out, int(handle.samplerate)


def info(path: str | os.PathLike[str]) -> AudioInfo:
    """Describe an audio file without reading its samples.

    >>> info("take.wav").duration_s                          # doctest: +SKIP
    183.5
    """
    path = Path(path)
    with _open_read(path) as handle:
        return AudioInfo(path=path, sample_rate=int(handle.samplerate), channels=int(handle.channels),
                         frames=int(handle.frames), duration_s=handle.frames / handle.samplerate,
                         format=handle.format, subtype=handle.subtype)


# ----------------------------------------------------------------------------------------------------------- writing

def _write_format(path: Path, subtype: str) -> str:
    """Return the libsndfile format for writing ``path`` with ``subtype``, or raise naming what is unsupported."""
    fmt = WRITE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AudioFileError(f"{path}: cannot write {path.suffix or 'files without a suffix'!s}: "
                             f"supported are {', '.join(WRITE_FORMATS)}")
    if subtype not in WRITE_SUBTYPES[fmt]:
        raise AudioFileError(f"{path}: cannot write {fmt} as {subtype!r}: supported are "
                             f"{', '.join(WRITE_SUBTYPES[fmt])}")
    return fmt


def _open_write(tmp: Path, target: Path, sample_rate: int, channels: int, subtype: str,
                frames: int | None = None) -> sf.SoundFile:
    """Open ``tmp`` for writing the format ``target``'s suffix asks for.

    WAV whose size is known (``frames``, or at most that many when streaming) and fits in 4 GiB is plain RIFF WAV
    (format tag 1 for PCM, no JUNK chunk: what shntool, cue2ddp and plants read); past that it is RF64 (EBU Tech
    3306). When the size is not known at all, libsndfile's RF64 auto-downgrade is used: the file stays a RIFF WAV
    (WAVE_FORMAT_EXTENSIBLE with a JUNK chunk kept for the ds64) unless it outgrows 4 GiB, when it becomes RF64.
    """
    fmt = _write_format(target, subtype)
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise AudioFileError(f"{target}: cannot write at sample rate {sample_rate!r} (a positive integer in Hz)")
    if int(channels) != channels or channels <= 0:
        raise AudioFileError(f"{target}: cannot write {channels!r} channels")
    bytes_per_sample = {"PCM_16": 2, "PCM_24": 3, "FLOAT": 4}[subtype]
    auto_rf64 = fmt == "WAV" and frames is None
    if fmt == "WAV" and (frames is None or frames * channels * bytes_per_sample > _WAV_MAX_DATA_BYTES):
        fmt = "RF64"
    try:
        handle = sf.SoundFile(os.fsencode(tmp), "w", int(sample_rate), int(channels), subtype, format=fmt)
        if auto_rf64:
            sf._snd.sf_command(handle._file, _SFC_RF64_AUTO_DOWNGRADE, sf._ffi.NULL, 1)
    except (sf.LibsndfileError, ValueError, RuntimeError) as exc:
        raise AudioFileError(f"{target}: cannot write {fmt} {subtype} at {sample_rate} Hz "
                             f"({_lib_message(exc)})") from None
    return handle


def _close_written(handle: sf.SoundFile, path: Path) -> None:
    """Close a file open for writing (libsndfile completes its header) without soundfile's ``sf_write_sync``, an
    fsync: ``atomic_write`` makes the one fsync a durable output needs, and scratch files need none. A failure
    (a full disk) is an OutputError naming ``path``."""
    if handle.closed:
        return
    err = sf._snd.sf_close(handle._file)
    handle._file = None
    if err:
        raise OutputError(f"{path}: could not finish the file ({_lib_message(sf.LibsndfileError(err))}); check "
                          "the free disk space and run the command again")


def _int_codes(x, start, stop, full, shift, out):  # pragma: no cover - numba
    """out[f - start, c] = clip(rint(x[c, f] * full), -full, full - 1) << shift, in float64 per sample (one pass:
    scale, round half to even, clip and interleave); return the first non-finite frame, or -1."""
    for f in range(start, stop):
        for c in range(x.shape[0]):
            value = np.float64(x[c, f])
            if not np.isfinite(value):
                return f
            code = min(max(np.rint(value * full), -full), full - 1.0)
            out[f - start, c] = np.int64(code) << shift
    return -1


def _pcm24_bytes(x, start, stop, out, held):  # pragma: no cover - numba
    """The 24-bit codes of ``_int_codes`` (full 2^23), interleaved as the little-endian bytes a WAV file stores, into
    the uint8 ``out``, and (when ``held`` has frames) the values they stand for, code / 2^23, into ``held``
    (channels, stop - start) float32; return the first non-finite frame, or -1."""
    full = 8388608.0
    keep = held.shape[1] > 0
    i = 0
    for f in range(start, stop):
        for c in range(x.shape[0]):
            value = np.float64(x[c, f])
            if not np.isfinite(value):
                return f
            code = np.int64(min(max(np.rint(value * full), -full), full - 1.0))
            if keep:
                held[c, f - start] = np.float32(code / full)
            out[i] = code & 0xFF
            out[i + 1] = (code >> 8) & 0xFF
            out[i + 2] = (code >> 16) & 0xFF
            i += 3
    return -1


def _float_frames(x, start, stop, out):  # pragma: no cover - numba
    """float32 ``out[f - start, c] = x[c, f]`` (interleaving; also used transposed to de-interleave); return the
    first frame holding a NaN or Inf, or -1."""
    for f in range(start, stop):
        for c in range(x.shape[0]):
            value = x[c, f]
            if not np.isfinite(value):
                return f
            out[f - start, c] = np.float32(value)
    return -1


_KERNELS: dict = {}


def _kernel(name: str):
    """The write-side conversion kernel ``_<name>`` compiled by numba (``cache=True``) on first use, so importing this
    module stays light (reading uses the C kernels of ``studioflow._kernels``, so reading imports no numba)."""
    if name not in _KERNELS:
        from numba import njit

        _KERNELS[name] = njit(cache=True, nogil=True)(globals()[f"_{name}"])
    return _KERNELS[name]


def _to_file_samples(audio: np.ndarray, subtype: str, path: Path, rate: int, first_frame: int = 0,
                     start: int = 0, stop: int | None = None, buffer: np.ndarray | None = None) -> np.ndarray:
    """Turn frames [start, stop) of a float (channels, frames) array into the (n, channels) array handed to
    libsndfile for ``subtype``, refusing NaN/Inf (named at ``first_frame + frame`` at ``rate`` Hz).

    Integer subtypes: round half to even, clip to the format's range (see the module docstring), in one pass into
    ``buffer`` when it is an array of the right type and big enough (reused between blocks); 24-bit codes go
    left-justified in int32 (``code << 8``), which is how libsndfile takes them.
    """
    stop = audio.shape[1] if stop is None else stop
    bits = _INT_BITS.get(subtype)
    if bits is None:
        block = audio[:, start:stop]
        _check_finite(block, path, first_frame + start, rate, "cannot write a ")
        return np.ascontiguousarray(block.T, dtype=np.float32)
    dtype = np.int16 if bits == 16 else np.int32
    n, channels = stop - start, audio.shape[0]
    if buffer is None or buffer.dtype != dtype or buffer.shape[0] < n or buffer.shape[1] != channels:
        buffer = np.empty((n, channels), dtype=dtype)
    out = buffer[:n]
    x = _float_audio(audio)
    bad = _kernel("int_codes")(x, start, stop, float(1 << (bits - 1)), 32 - bits if bits == 24 else 0, out)
    if bad >= 0:
        _check_finite(audio[:, bad:stop], path, first_frame + bad, rate, "cannot write a ")
    return out


def _float_audio(audio: np.ndarray) -> np.ndarray:
    return audio if audio.dtype in (np.float32, np.float64) else audio.astype(np.float64)


def _write_samples(handle: sf.SoundFile, audio: np.ndarray, subtype: str, path: Path, rate: int, first_frame: int,
                   start: int, stop: int, buffer: np.ndarray | None, held: np.ndarray | None = None) -> np.ndarray:
    """Write frames [start, stop) of float ``audio`` (channels, frames) to ``handle`` in ``subtype`` (rules of the
    module docstring), refusing NaN/Inf; return the buffer used, to be passed back for the next block. ``held``, a
    float32 (channels, stop - start) array, receives the values the file now holds (the samples on its grid)."""
    width = _raw_width(handle)
    if not width:
        buffer = _to_file_samples(audio, subtype, path, rate, first_frame, start, stop, buffer)
        handle.write(buffer)
        if held is not None:
            bits = _INT_BITS.get(subtype)
            codes = buffer[:stop - start].T
            held[...] = codes if bits is None else (codes >> (32 - bits if bits == 24 else 0)) / float(1 << (bits - 1))
        return buffer
    size = (stop - start) * audio.shape[0] * width
    if buffer is None or buffer.dtype != np.uint8 or buffer.size < size:
        buffer = np.empty(size, np.uint8)
    if width == 3:
        into = held if held is not None else np.empty((audio.shape[0], 0), np.float32)
        bad = _kernel("pcm24_bytes")(_float_audio(audio), start, stop, buffer, into)
    else:
        interleaved = buffer[:size].view("<f4").reshape(stop - start, audio.shape[0])
        bad = _kernel("float_frames")(audio, start, stop, interleaved)
        if held is not None:
            held[...] = interleaved.T
    if bad >= 0:
        _check_finite(audio[:, bad:stop], path, first_frame + bad, rate, "cannot write a ")
    written = int(sf._snd.sf_write_raw(handle._file, sf._ffi.from_buffer(buffer), size))
    if written != size:
        raise OutputError(f"{path}: could not write the audio "
                          f"({_lib_message(sf.LibsndfileError(handle._errorcode))}); check the free disk space")
    return buffer


def _as_audio(audio: np.ndarray, path: Path) -> np.ndarray:
    """Check an array to write is (channels, frames) (1-D taken as mono) and finite; return it 2-D."""
    arr = np.asarray(audio)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.floating):
        raise AudioFileError(f"{path}: expected float audio shaped (channels, frames), got {arr.dtype} {arr.shape}")
    if arr.shape[0] > 64 and arr.shape[1] <= 64:
        raise AudioFileError(f"{path}: audio shaped {arr.shape} looks like (frames, channels); pass (channels, frames)")
    return arr


def write(path: str | os.PathLike[str], audio: np.ndarray, rate: int, *, subtype: str = "PCM_24") -> Path:
    """Write float ``audio`` (channels, frames) at ``rate`` Hz to a .wav or .flac file, atomically; return the path.

    ``subtype`` is "PCM_16", "PCM_24" (default) or "FLOAT" (WAV only). Integer formats are rounded to nearest and
    clipped to full scale (module docstring). NaN/Inf samples are refused.

    >>> write("mix.wav", audio, 48000)                       # doctest: +SKIP
    >>> write("master.flac", audio, 44100, subtype="PCM_16") # doctest: +SKIP
    """
    path = Path(path)
    _write_format(path, subtype)
    arr = _as_audio(audio, path)
    with atomic_write(path) as tmp:
        handle = _open_write(tmp, path, rate, arr.shape[0], subtype, arr.shape[1])
        try:
            buffer = None
            for pos in range(0, arr.shape[1], _CHUNK_FRAMES):
                buffer = _write_samples(handle, arr, subtype, path, int(rate), 0, pos,
                                        min(pos + _CHUNK_FRAMES, arr.shape[1]), buffer)
        finally:
            _close_written(handle, path)
    return path
