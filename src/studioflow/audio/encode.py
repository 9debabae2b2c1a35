"""Lossy delivery formats through PyAV (FFmpeg): MP3 (LAME), AAC in .m4a, Opus in .opus/.ogg; and decoding them.

Encoder delay ("priming") and end padding: every one of these codecs adds silence at the start (LAME 576 + 529
decoder samples, FFmpeg's AAC 1024, Opus a pre-skip of 312 at 48 kHz) and pads the last frame. The containers we
write record both — the LAME/Xing header in MP3, an edit list in MP4 (.m4a), the pre-skip and final granule
position in Ogg — and :func:`decode` (FFmpeg's demuxers) honours them, so a round trip gives back the original
length and timing. Players that honour the same fields (most do) play gaplessly. One known shortfall: when
the last MP3 frame holds fewer than 47 samples, FFmpeg's MP3 writer records up to 46 samples too little end
padding, so such a file decodes (here, in FFmpeg and in libsndfile/mpg123 alike) up to 46 samples (< 1 ms) of
silence longer than it was. MP4 lengths are exact because we set the movie timescale to the sample rate.

Sample rates: Opus works at 48 kHz, so other rates are resampled to it (soxr VHQ); MP3 takes 8 to 48 kHz, so
higher rates are resampled to 48 kHz (or 44.1 kHz for multiples of 44.1 kHz). Decoded audio comes back at the
rate in the file.

>>> import tempfile, pathlib, numpy as np
>>> tone = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000)).astype(np.float32)[np.newaxis]
>>> path = encode(tone, 48000, pathlib.Path(tempfile.mkdtemp()) / "tone.mp3", bitrate_kbps=192)
>>> audio, rate = decode(path)
>>> audio.shape, rate
((1, 48000), 48000)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from studioflow.audio.atomic import atomic_write
from studioflow.errors import AudioFileError, ParameterError

__all__ = ["encode", "decode", "CODECS"]

#: codec name -> (FFmpeg encoder, container suffixes it may go in, highest bitrate in kbps per channel)
CODECS = {
    "mp3": ("libmp3lame", (".mp3",), 320),
    "aac": ("aac", (".m4a",), 256),
    "opus": ("libopus", (".opus", ".ogg"), 256),
}
_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
_FEED_FRAMES = 4096
_MAX_END_PADDING = 4096  # frames; more than any codec's last-frame padding


def _encode_rate(codec: str, rate: int) -> int:
    """The sample rate the codec will run at for input at ``rate`` Hz."""
    if codec == "opus":
        return 48000
    if codec == "mp3" and rate not in _MP3_RATES:
        return 44100 if rate % 44100 == 0 else 48000
    return rate


def _check_encode(audio: np.ndarray, rate: int, path: Path, codec: str, bitrate_kbps: int) -> np.ndarray:
    if codec not in CODECS:
        raise ParameterError(f"encode: codec must be one of {', '.join(CODECS)}, got {codec!r}")
    _, suffixes, max_kbps = CODECS[codec]
    if path.suffix.lower() not in suffixes:
        raise AudioFileError(f"{path}: {codec} goes in a {' or '.join(suffixes)} file, not {path.suffix or 'none'}")
    if isinstance(rate, bool) or int(rate) != rate or rate <= 0:
        raise ParameterError(f"encode: rate must be a positive whole number of Hz, got {rate!r}")
    arr = np.asarray(audio)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2 or arr.shape[0] not in _LAYOUTS or (codec == "mp3" and arr.shape[0] > 2):
        raise AudioFileError(f"{path}: cannot encode audio shaped {arr.shape} as {codec} "
                             f"(channels first; mono or stereo{', or 5.1' if codec != 'mp3' else ''})")
    if not np.isfinite(arr).all():
        raise AudioFileError(f"{path}: cannot encode NaN or Inf samples")
    channels = arr.shape[0]
    if not 8 <= bitrate_kbps <= max_kbps * channels or (codec == "mp3" and bitrate_kbps > 320):
        top = 320 if codec == "mp3" else max_kbps * channels
        raise ParameterError(f"encode: bitrate_kbps for {codec} with {channels} channels must be 8 to {top}, "
                             f"got {bitrate_kbps!r}")
    return arr


def encode(audio: np.ndarray, rate: int, path: str | os.PathLike[str], *, codec: str = "mp3",
           bitrate_kbps: int = 320) -> Path:
    """Encode float ``audio`` (channels, frames) at ``rate`` Hz to ``path`` as ``codec`` ("mp3", "aac", "opus") at
    ``bitrate_kbps`` (constant bitrate for MP3; the encoder's target otherwise), atomically; return the path."""
    import av  # local: PyAV (FFmpeg) is heavy to import

    path = Path(path)
    arr = _check_encode(audio, rate, path, codec, bitrate_kbps)
    codec_rate = _encode_rate(codec, int(rate))
    if codec_rate != rate:
        from studioflow.audio.resample import resample
        arr = resample(arr, int(rate), codec_rate)
    planar = np.ascontiguousarray(arr, dtype=np.float32)
    layout = _LAYOUTS[planar.shape[0]]
    with atomic_write(path) as tmp:
        try:
            # MP4's edit list counts in the movie timescale (1000 by default, so lengths would round to the ms):
            # make it the sample rate so the true length is recorded to the sample.
            options = {"movie_timescale": str(codec_rate)} if codec == "aac" else {}
            with av.open(str(tmp), mode="w", format="ogg" if codec == "opus" else None,
                         options=options) as container:
                stream = container.add_stream(CODECS[codec][0], rate=codec_rate, layout=layout)
                stream.bit_rate = int(bitrate_kbps) * 1000
                for pos in range(0, planar.shape[1], _FEED_FRAMES):  # PyAV re-cuts to the codec's frame size
                    frame = av.AudioFrame.from_ndarray(planar[:, pos:pos + _FEED_FRAMES], format="fltp",
                                                       layout=layout)
                    frame.sample_rate = codec_rate
                    frame.pts = pos
                    for packet in stream.encode(frame):
                        container.mux(packet)
                for packet in stream.encode(None):
                    container.mux(packet)
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioFileError(f"{path}: cannot encode {codec} at {bitrate_kbps} kbps ({exc})") from None
    return path


def decode(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Decode the first audio stream of any file FFmpeg reads into float32 ``(channels, frames)`` and its rate
    (Hz), with the encoder delay and padding the container records removed."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes)")
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioFileError(f"{path}: holds no audio stream")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels
            declared_s = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
            for frame in container.decode(stream):
                data = frame.to_ndarray()
                if frame.format.is_planar:
                    chunks.append(data.reshape(channels, -1))
                else:
                    chunks.append(data.reshape(-1, channels).T)
                rate = frame.sample_rate
                kind = frame.format.name.rstrip("p")
    except av.error.FFmpegError as exc:
        raise AudioFileError(f"{path}: not a readable audio file ({exc})") from None
    if not chunks:
        raise AudioFileError(f"{path}: holds no decodable audio")
    audio = np.concatenate(chunks, axis=1)
    if declared_s is not None:
        # MP4 records the true length (edit list / track duration) but FFmpeg only trims the start: cut the
        # end padding of the last frame to the declared length.
        declared = int(round(declared_s * rate))
        if 0 < audio.shape[1] - declared <= _MAX_END_PADDING:
            audio = audio[:, :declared]
    scale = {"s16": 2.0 ** -15, "s32": 2.0 ** -31, "u8": 2.0 ** -7}.get(kind)
    if kind == "u8":
        audio = audio.astype(np.float64) - 128
    if scale is not None:
        audio = audio * scale
    return np.ascontiguousarray(audio, dtype=np.float32), int(rate)
