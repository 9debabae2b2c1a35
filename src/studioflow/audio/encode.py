"""Lossy delivery formats through PyAV (FFmpeg): MP3 (LAME), AAC in .m4a, Opus in .opus/.ogg; and decoding them.
Both directions stream in blocks (:func:`encode_blocks`, :class:`DecodeReader`), so memory stays flat however long
the song; :func:`encode` and :func:`decode` are the whole-array forms of the same code.

Encoder delay ("priming") and end padding: every one of these codecs adds silence at the start (LAME 576 + 529
decoder samples, FFmpeg's AAC 1024, Opus a pre-skip of 312 at 48 kHz) and pads the last frame. The containers we
write record both — the LAME/Xing header in MP3, an edit list in MP4 (.m4a), the pre-skip and final granule
position in Ogg — and decoding honours them, so a round trip gives back the original length and timing:

- MP3: FFmpeg's MP3 writer records up to 46 samples too little end padding in some files (when the last frame is
  nearly full), so after encoding the LAME tag's padding is set from the samples fed and the frames written
  (its CRC-16 made again): FFmpeg, mpg123 and every LAME-tag reader decode exactly the input's length.
- AAC in MP4: FFmpeg's decoder (the ``ffmpeg`` tool included) trims the edit list's start but not its end, so a
  file would decode up to 1023 samples long. When the length is known (``frames``), the encoder is fed that many
  zeros before time 0 that make the input end on a whole AAC frame: the edit list skips them with the priming, the
  last frame holds no padding, and every decoder that honours the edit list's start (FFmpeg, Apple's) returns
  exactly the input. The ``iTunSMPB`` atom (delay, padding, length) says the same for iTunes-style readers. The
  movie timescale is the sample rate, so the recorded length is exact to the sample.

Sample rates: Opus works at 48 kHz, so other rates are resampled to it (soxr VHQ, streaming); MP3 takes 8 to 48 kHz,
so higher rates are resampled to 48 kHz (or 44.1 kHz for multiples of 44.1 kHz). Decoded audio comes back at the
rate in the file.

>>> import tempfile, pathlib, numpy as np
>>> tone = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000)).astype(np.float32)[np.newaxis]
>>> path = encode(tone, 48000, pathlib.Path(tempfile.mkdtemp()) / "tone.mp3", bitrate_kbps=192)
>>> audio, rate = decode(path)
>>> audio.shape, rate
((1, 48000), 48000)
>>> path = encode_blocks((tone[:, i:i + 5000] for i in range(0, 48000, 5000)), 48000, 1, path, codec="mp3")
>>> reader = DecodeReader(path, block_frames=20000)
>>> reader.sample_rate, reader.channels, [block.shape[1] for block in reader]
(48000, 1, [20000, 20000, 8000])
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from studioflow.audio.atomic import atomic_write
from studioflow.audio.stream import _check_block_frames
from studioflow.errors import AudioFileError, ParameterError

__all__ = ["encode", "encode_blocks", "decode", "DecodeReader", "CODECS"]

#: codec name -> (FFmpeg encoder, container suffixes it may go in, highest bitrate in kbps per channel)
CODECS = {
    "mp3": ("libmp3lame", (".mp3",), 320),
    "aac": ("aac", (".m4a",), 256),
    "opus": ("libopus", (".opus", ".ogg"), 256),
}
_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
_FEED_FRAMES = 4096
_AAC_FRAME = 1024        # samples per AAC-LC frame, also FFmpeg's AAC priming
_MAX_END_PADDING = 4096  # frames; more than any codec's last-frame padding
_INT_SCALES = {"s16": 2.0 ** -15, "s32": 2.0 ** -31, "u8": 2.0 ** -7}


def _encode_rate(codec: str, rate: int) -> int:
    """The sample rate the codec will run at for input at ``rate`` Hz."""
    if codec == "opus":
        return 48000
    if codec == "mp3" and rate not in _MP3_RATES:
        return 44100 if rate % 44100 == 0 else 48000
    return rate


def _check_encode(rate: int, channels: int, path: Path, codec: str, bitrate_kbps: int) -> None:
    if codec not in CODECS:
        raise ParameterError(f"encode: codec must be one of {', '.join(CODECS)}, got {codec!r}")
    _, suffixes, max_kbps = CODECS[codec]
    if path.suffix.lower() not in suffixes:
        raise AudioFileError(f"{path}: {codec} goes in a {' or '.join(suffixes)} file, not {path.suffix or 'none'}")
    if isinstance(rate, bool) or int(rate) != rate or rate <= 0:
        raise ParameterError(f"encode: rate must be a positive whole number of Hz, got {rate!r}")
    if channels not in _LAYOUTS or (codec == "mp3" and channels > 2):
        raise AudioFileError(f"{path}: cannot encode audio shaped ({channels}, frames) as {codec} "
                             f"(channels first; mono or stereo{', or 5.1' if codec != 'mp3' else ''})")
    if not 8 <= bitrate_kbps <= max_kbps * channels or (codec == "mp3" and bitrate_kbps > 320):
        top = 320 if codec == "mp3" else max_kbps * channels
        raise ParameterError(f"encode: bitrate_kbps for {codec} with {channels} channels must be 8 to {top}, "
                             f"got {bitrate_kbps!r}")


def _checked(blocks: Iterable[np.ndarray], channels: int, rate: int, path: Path, codec: str) -> Iterator[np.ndarray]:
    """Each block as float32 C-contiguous ``(channels, n)`` (1-D taken as mono), refused when shaped otherwise or
    holding NaN or Inf."""
    start = 0
    for block in blocks:
        arr = np.asarray(block)
        if arr.ndim == 1:
            arr = arr[np.newaxis, :]
        if arr.ndim != 2 or arr.shape[0] != channels:
            raise AudioFileError(f"{path}: cannot encode audio shaped {arr.shape} as {channels}-channel {codec} "
                                 "(channels first)")
        finite = np.isfinite(arr)
        if not finite.all():
            at = start + int(np.argmin(finite.all(axis=0)))
            raise AudioFileError(f"{path}: cannot encode NaN or Inf samples (the first at {at / rate:.3f} s)")
        start += arr.shape[1]
        yield np.ascontiguousarray(arr, dtype=np.float32)


@contextlib.contextmanager
def _encoder_errors(path: Path, codec: str, bitrate_kbps: int) -> Iterator[None]:
    """FFmpeg refusing to encode, as one AudioFileError line naming the file (errors of the blocks pass as they are,
    which is why only the FFmpeg calls are wrapped)."""
    import av

    try:
        yield
    except (av.error.FFmpegError, ValueError) as exc:
        raise AudioFileError(f"{path}: cannot encode {codec} at {bitrate_kbps} kbps ({exc})") from None


def encode_blocks(blocks: Iterable[np.ndarray], rate: int, channels: int, path: str | os.PathLike[str], *,
                  codec: str = "mp3", bitrate_kbps: int = 320, frames: int | None = None) -> Path:
    """Encode float ``(channels, n)`` blocks of any sizes at ``rate`` Hz to ``path`` as ``codec`` ("mp3", "aac",
    "opus") at ``bitrate_kbps`` (constant bitrate for MP3; the encoder's target otherwise), atomically, holding one
    block at a time; return the path. ``frames``, the blocks' total length when known, makes an AAC file end
    exactly (module docstring). Each block is checked as it comes (shape, NaN/Inf); on any error nothing is left
    behind."""
    import av  # local: PyAV (FFmpeg) is heavy to import

    path = Path(path)
    _check_encode(rate, channels, path, codec, bitrate_kbps)
    codec_rate = _encode_rate(codec, int(rate))
    layout = _LAYOUTS[channels]
    errors = functools.partial(_encoder_errors, path, codec, bitrate_kbps)
    from studioflow.audio.resample import resampled_blocks

    planar = resampled_blocks(_checked(blocks, channels, int(rate), path, codec), int(rate), codec_rate, channels)
    with atomic_write(path) as tmp:
        # MP4's edit list counts in the movie timescale (1000 by default, so lengths would round to the ms):
        # make it the sample rate so the true length is recorded to the sample.
        options = {"movie_timescale": str(codec_rate)} if codec == "aac" else {}
        with errors():
            container = av.open(str(tmp), mode="w", format="ogg" if codec == "opus" else None, options=options)
        with container:
            with errors():
                stream = container.add_stream(CODECS[codec][0], rate=codec_rate, layout=layout)
                assert isinstance(stream, av.AudioStream)    # an audio codec makes an audio stream
                stream.bit_rate = int(bitrate_kbps) * 1000
            # AAC: zeros before time 0 that make the input end on a whole frame (known length only)
            lead = (-int(round(frames * codec_rate / rate))) % _AAC_FRAME if codec == "aac" and frames else 0
            pts, packets = -lead, 0
            if lead:
                planar = itertools.chain([np.zeros((channels, lead), np.float32)], planar)
            for block in planar:
                for pos in range(0, block.shape[1], _FEED_FRAMES):  # PyAV re-cuts to the codec's frame size
                    frame = av.AudioFrame.from_ndarray(block[:, pos:pos + _FEED_FRAMES], format="fltp",
                                                       layout=layout)
                    frame.sample_rate = codec_rate
                    frame.pts = pts
                    pts += frame.samples
                    with errors():
                        for packet in stream.encode(frame):
                            container.mux(packet)
                            packets += 1
            with errors():
                for packet in stream.encode(None):
                    container.mux(packet)
                    packets += 1
                container.close()
        if codec == "mp3":
            _fix_lame_padding(tmp, pts)
        elif codec == "aac":
            _write_itunsmpb(tmp, _AAC_FRAME + lead, packets * _AAC_FRAME - _AAC_FRAME - lead - pts, pts)
    return path


def _lame_crc(data: bytes) -> int:
    """CRC-16 (polynomial 0x8005, reflected, initial 0) as the LAME tag stores it."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _fix_lame_padding(path: Path, samples: int) -> None:
    """Set the end padding of the MP3's LAME tag so it decodes to ``samples`` (those fed to the encoder): padding =
    frames x samples per frame - delay - samples; the tag's CRC-16 (over the frame's first 190 bytes) made again."""
    with open(path, "r+b") as fh:
        head = fh.read(10)
        start = 0
        if head[:3] == b"ID3":                       # skip an ID3v2 tag (sizes are 7-bit "synchsafe" bytes)
            start = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        fh.seek(start)
        frame = bytearray(fh.read(192))
        at = max(frame.find(b"Info"), frame.find(b"Xing"))
        flags = frame[at + 7] if at >= 0 else 0
        lame = at + 8 + 4 * (flags & 1) + 4 * (flags >> 1 & 1) + 100 * (flags >> 2 & 1) + 4 * (flags >> 3 & 1)
        if len(frame) < 192 or frame[0] != 0xFF or at < 0 or not flags & 1 or lame + 24 > 190:
            return                                   # no LAME tag with a frame count: nothing to set
        per_frame = 1152 if (frame[1] >> 3) & 3 == 3 else 576      # MPEG-1 layer III, else MPEG-2/2.5
        count = int.from_bytes(frame[at + 8:at + 12], "big")
        field = int.from_bytes(frame[lame + 21:lame + 24], "big")   # 12 bits delay, 12 bits padding
        padding = count * per_frame - (field >> 12) - samples
        if not 0 <= padding < 4096 or padding == field & 0xFFF:
            return
        frame[lame + 21:lame + 24] = ((field >> 12 << 12) | padding).to_bytes(3, "big")
        frame[190:192] = _lame_crc(bytes(frame[:190])).to_bytes(2, "big")
        fh.seek(start)
        fh.write(frame)


def _write_itunsmpb(path: Path, delay: int, padding: int, samples: int) -> None:
    """The iTunes gapless atom ``----:com.apple.iTunes:iTunSMPB`` (priming, padding and length, in hex)."""
    from mutagen.mp4 import MP4, MP4FreeForm

    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None                 # add_tags() made them
    fields = ["00000000", f"{delay:08X}", f"{max(padding, 0):08X}", f"{samples:016X}"] + ["00000000"] * 8
    mp4.tags["----:com.apple.iTunes:iTunSMPB"] = [MP4FreeForm((" " + " ".join(fields)).encode("ascii"))]
    mp4.save()


def encode(audio: np.ndarray, rate: int, path: str | os.PathLike[str], *, codec: str = "mp3",
           bitrate_kbps: int = 320) -> Path:
    """Encode float ``audio`` (channels, frames) at ``rate`` Hz to ``path`` as ``codec`` ("mp3", "aac", "opus") at
    ``bitrate_kbps`` (constant bitrate for MP3; the encoder's target otherwise), atomically; return the path."""
    arr = np.atleast_2d(np.asarray(audio))
    return encode_blocks([arr], rate, arr.shape[0], path, codec=codec, bitrate_kbps=bitrate_kbps,
                         frames=arr.shape[1])


def _as_float(frame, channels: int) -> np.ndarray:
    """A decoded PyAV frame as float32 ``(channels, n)``, integer samples scaled like ``files.read``."""
    data = frame.to_ndarray()
    data = data.reshape(channels, -1) if frame.format.is_planar else data.reshape(-1, channels).T
    kind = frame.format.name.rstrip("p")
    if kind == "u8":
        data = data.astype(np.float64) - 128
    if kind in _INT_SCALES:
        data = data * _INT_SCALES[kind]
    return np.ascontiguousarray(data, dtype=np.float32)


class DecodeReader:
    """Iterate over the first audio stream of any file FFmpeg reads as float32 ``(channels, n)`` blocks of
    ``block_frames`` frames (the last may be shorter), with the encoder delay and padding the container records
    removed.

    The file is checked (and its first frame decoded) when the reader is made, so errors come early, and decoded
    afresh for each iteration. ``sample_rate`` (Hz) and ``channels`` are those of the decoded audio.
    """

    def __init__(self, path: str | os.PathLike[str], block_frames: int = 65536) -> None:
        self.path = Path(path)
        self.block_frames = _check_block_frames(block_frames)
        if not self.path.is_file():
            raise AudioFileError(f"{self.path}: no such file")
        if self.path.stat().st_size == 0:
            raise AudioFileError(f"{self.path}: the file is empty (0 bytes)")
        with self._opened() as (container, stream):
            first = next(self._frames(container, stream), None)
            if first is None:
                raise AudioFileError(f"{self.path}: holds no decodable audio")
            self.sample_rate: int = int(first.sample_rate)
            self.channels: int = int(stream.codec_context.channels)

    @contextlib.contextmanager
    def _opened(self):
        import av  # local: PyAV (FFmpeg) is heavy to import

        try:
            with av.open(str(self.path)) as container:
                if not container.streams.audio:
                    raise AudioFileError(f"{self.path}: holds no audio stream")
                yield container, container.streams.audio[0]
        except av.error.FFmpegError as exc:
            raise AudioFileError(f"{self.path}: not a readable audio file ({exc})") from None

    def _frames(self, container, stream) -> Iterator:
        import av

        try:
            yield from container.decode(stream)
        except av.error.FFmpegError as exc:
            raise AudioFileError(f"{self.path}: not a readable audio file ({exc})") from None

    def __iter__(self) -> Iterator[np.ndarray]:
        with self._opened() as (container, stream):
            declared = None
            if stream.duration and stream.time_base:
                declared = int(round(float(stream.duration * stream.time_base) * self.sample_rate))
            # MP4 records the true length (edit list / track duration) but FFmpeg only trims the start: the end
            # padding of the last frame is cut to the declared length, so the last frames are held back until the
            # stream ends.
            hold = 0 if declared is None else _MAX_END_PADDING
            held: list[np.ndarray] = []
            count = given = 0
            for frame in self._frames(container, stream):
                held.append(_as_float(frame, self.channels))
                count += held[-1].shape[1]
                if count >= self.block_frames + hold:
                    joined = np.concatenate(held, axis=1)
                    whole = (count - hold) // self.block_frames * self.block_frames
                    held, count, given = [joined[:, whole:].copy()], count - whole, given + whole
                    yield from self._cut(joined[:, :whole])
                    del joined  # not kept while the next block is gathered
            tail = np.concatenate([np.zeros((self.channels, 0), np.float32), *held], axis=1)
            if declared is not None and 0 < given + count - declared <= _MAX_END_PADDING:
                tail = tail[:, :declared - given]
            yield from self._cut(tail)

    def _cut(self, audio: np.ndarray) -> Iterator[np.ndarray]:
        for pos in range(0, audio.shape[1], self.block_frames):
            yield np.ascontiguousarray(audio[:, pos:pos + self.block_frames])


def decode(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Decode the first audio stream of any file FFmpeg reads into float32 ``(channels, frames)`` and its rate
    (Hz), with the encoder delay and padding the container records removed."""
    reader = DecodeReader(path)
    audio = np.concatenate([np.zeros((reader.channels, 0), np.float32), *reader], axis=1)
    return audio, reader.sample_rate
