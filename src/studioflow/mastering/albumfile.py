"""ALBUM.yaml: the release as data (title, artist, catalog, year, cover, the tracks in order with their mixes,
titles, ISRCs, gaps or crossfades, fades and overrides), loaded and checked with errors that name file, line and key.
``TEMPLATE`` is a commented example of every key (``studioflow album --template`` prints it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from yaml.nodes import ScalarNode

from studioflow.audio.codes import normalise_catalog, normalise_isrc
from studioflow.audio.yamlfile import NOT_HANDLED, Located, load_located
from studioflow.errors import AudioFileError, SessionError

TEMPLATE = """\
# ALBUM.yaml: the release, mastered as a set by `studioflow album ALBUM.yaml -o release/`.
# Paths are relative to this file. Only title, artist and tracks (each with mix and title) are required.
title: First Light                 # the release's title (album tag, CUE and DDP)
artist: The Demo Band              # artist and album artist of every track
catalog: "5012345678900"           # UPC-A (12 digits) or EAN-13 (13 digits), check digit verified; in quotes
year: 2025                         # release year
cover: cover.png                   # front cover, JPEG or PNG, embedded in every file
target: spotify                    # `studioflow targets`; the loudest song lands here, the others below it
# lufs: -14                        # or a loudness of your own (LUFS) ...
# ceiling_dbtp: -1                 # ... and a true-peak ceiling (dBTP)
# style: balanced                  # gentle | balanced | loud, and/or a curve: neutral, pop, rock, ...
formats: [wav24, wav16, flac, mp3, aac, cd]   # cd: CD image + CUE sheet + DDP 2.0 fileset (44.1 kHz, 16-bit)
gap_s: 2.0                         # silence between songs unless a track says otherwise
# sample_rate: 48000               # the album's rate (default: the first mix's); wav16 and cd are 44.1 kHz
# tonal_match: 0.5                 # 0..1: how far each song moves toward the album's average tonal balance
tracks:
  - mix: mixes/single.wav          # the mix of this song (any rate; resampled to the album's)
    title: The Single
    isrc: GB-ABC-25-00001          # ISO 3901, hyphens optional; each recording has its own
  - mix: mixes/ballad.wav
    title: The Ballad
    isrc: GB-ABC-25-00002
    gap_s: 3.0                     # the silence before this song (instead of the album's gap_s)
    fade_out_s: 4.0                # fade this song out over its last 4 s
    # fade_in_s: 0.5
    overrides:
      relative_lu: -3              # 3 LU below the loudest song (default: its mix's distance)
      style: gentle                # mastering style for this song only
      # max_limiting_db: 3         # never limit this song more than this
      # tonal_match: 0             # keep this song's own tonal balance
  - mix: mixes/closer.wav
    title: Closer
    crossfade_s: 1.5               # overlap the previous song's end instead of a gap (not on track 1)
"""

FORMATS = ("wav24", "wav16", "flac", "mp3", "aac", "cd")
DEFAULT_FORMATS = FORMATS
#: sample rates each delivery format can carry at the album's rate (wav16 and cd are always made at 44.1 kHz)
FORMAT_RATES: dict[str, tuple[int, ...] | None] = {
    "wav24": None, "flac": None,
    "mp3": (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    "aac": (7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000),
}
FLAC_MAX_RATE = 655350
MAX_TRACKS_CD = 99
_TOP_KEYS = {"title", "artist", "catalog", "year", "cover", "target", "lufs", "ceiling_dbtp", "style", "formats",
             "gap_s", "sample_rate", "tonal_match", "tracks"}
_TRACK_KEYS = {"mix", "title", "isrc", "gap_s", "crossfade_s", "fade_in_s", "fade_out_s", "overrides"}
_OVERRIDE_KEYS = {"style", "max_limiting_db", "relative_lu", "tonal_match"}


@dataclass(frozen=True)
class AlbumTrack:
    """One song of the album: its mix (with rate, channels and length read from the file) and its sequencing."""

    number: int
    mix: Path
    title: str
    isrc: str | None
    gap_s: float
    crossfade_s: float
    fade_in_s: float
    fade_out_s: float
    rate: int
    channels: int
    duration_s: float
    style: str | None = None
    max_limiting_db: float | None = None
    relative_lu: float | None = None
    tonal_match: float | None = None


@dataclass(frozen=True)
class Album:
    """The whole release as read from ALBUM.yaml (paths resolved against its folder)."""

    path: Path
    title: str
    artist: str
    catalog: str | None
    year: int | None
    cover: Path | None
    target: str | None
    lufs: float | None
    ceiling_dbtp: float | None
    style: str | None
    formats: tuple[str, ...]
    sample_rate: int
    tonal_match: float | None
    tracks: tuple[AlbumTrack, ...] = field(default_factory=tuple)
    located: Located | None = field(default=None, repr=False, compare=False)

    def fail(self, key_path: str, message: str) -> SessionError:
        """A SessionError naming ALBUM.yaml, the line of ``key_path`` and the key."""
        if self.located is None:
            return SessionError(f"{self.path.name} {key_path}: {message}")
        return self.located.fail(key_path, message)


def _long_digits_as_text(node: ScalarNode) -> Any:
    # catalog numbers are digits, not numbers: keep leading zeros (YAML 1.1 would read 0123... as octal)
    if node.style is None and node.value.isdigit() and len(node.value) >= 8:
        return node.value
    return NOT_HANDLED


def _number(loc: Located, data: dict, key: str, path: str, lo: float, hi: float, default: float | None,
            unit: str) -> float | None:
    if key not in data or data[key] is None:
        return default
    v = data[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= float(v) <= hi:
        raise loc.fail(path, f"must be a number from {lo:g} to {hi:g} {unit}; got {v!r}".rstrip())
    return float(v)


@overload
def _text(loc: Located, data: dict, key: str, path: str, required: Literal[True]) -> str: ...
@overload
def _text(loc: Located, data: dict, key: str, path: str, required: Literal[False]) -> str | None: ...
def _text(loc: Located, data: dict, key: str, path: str, required: bool) -> str | None:
    v = data.get(key)
    if v is None:
        if required:
            raise loc.fail(path or key, f"'{key}' is required")
        return None
    if not isinstance(v, (str, int, float)) or isinstance(v, bool) or not str(v).strip():
        raise loc.fail(path, f"must be text; got {v!r}")
    return str(v).strip()


def _unknown(loc: Located, data: dict, allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise loc.fail(f"{where}.{key}" if where else key,
                           f"unknown key; known keys: {', '.join(sorted(allowed))}")


def load_album(path: str | os.PathLike[str]) -> Album:
    """Read and check ALBUM.yaml; every problem raises SessionError naming the line (AudioFileError for a mix)."""
    path = Path(path)
    loc = load_located(path, kind="album file", scalar=_long_digits_as_text)
    data = loc.data
    if not isinstance(data, dict):
        raise loc.fail("", "the album file must be a mapping of keys (title, artist, tracks, ...)")
    _unknown(loc, data, _TOP_KEYS, "")
    base = path.parent
    title = _text(loc, data, "title", "title", True)
    artist = _text(loc, data, "artist", "artist", True)
    catalog = None
    if data.get("catalog") is not None:
        try:
            catalog = normalise_catalog(data["catalog"])
        except ValueError as e:
            raise loc.fail("catalog", str(e)) from None
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999):
        raise loc.fail("year", f"must be a four-digit year; got {year!r}")
    cover = None
    if data.get("cover") is not None:
        cover = base / str(data["cover"])
        if not cover.is_file():
            raise loc.fail("cover", f"no such cover image {cover}")
        if cover.read_bytes()[:4] not in (b"\x89PNG",) and cover.read_bytes()[:3] != b"\xff\xd8\xff":
            raise loc.fail("cover", f"{cover.name} is not a JPEG or PNG image")
    formats = data.get("formats", list(DEFAULT_FORMATS))
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not formats:
        raise loc.fail("formats", f"must be a list of formats from {', '.join(FORMATS)}")
    for i, f in enumerate(formats):
        if f not in FORMATS:
            raise loc.fail(f"formats[{i}]", f"unknown format {f!r}; formats: {', '.join(FORMATS)}")
    default_gap = _number(loc, data, "gap_s", "gap_s", 0.0, 60.0, 2.0, "s")
    tracks_data = data.get("tracks")
    if not isinstance(tracks_data, list) or not tracks_data:
        raise loc.fail("tracks", "'tracks' must be a list of at least one track (mix, title, ...)")
    tracks = [_track(loc, t, i, base, default_gap) for i, t in enumerate(tracks_data)]
    seen: dict[str, int] = {}
    for i, t in enumerate(tracks):
        if t.isrc is not None:
            if t.isrc in seen:
                raise loc.fail(f"tracks[{i}].isrc", f"ISRC {t.isrc} is already track {seen[t.isrc] + 1}'s; "
                                                    "each recording has its own")
            seen[t.isrc] = i
    rate = data.get("sample_rate", tracks[0].rate)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 8000 <= rate <= 384000:
        raise loc.fail("sample_rate", f"must be a whole number of Hz from 8000 to 384000; got {rate!r}")
    _known_names(loc, data, "")
    for i, t in enumerate(tracks_data):
        _known_names(loc, (t.get("overrides") or {}), f"tracks[{i}].overrides.")
    album = Album(path, title, artist, catalog, year, cover, data.get("target"),
                  _number(loc, data, "lufs", "lufs", -40.0, -3.0, None, "LUFS"),
                  _number(loc, data, "ceiling_dbtp", "ceiling_dbtp", -12.0, 0.0, None, "dBTP"),
                  data.get("style"), tuple(dict.fromkeys(formats)), int(rate),
                  _number(loc, data, "tonal_match", "tonal_match", 0.0, 1.0, None, ""), tuple(tracks), loc)
    check_rates(album)
    if "cd" in album.formats:
        if len(tracks) > MAX_TRACKS_CD:
            raise loc.fail("tracks", f"{len(tracks)} tracks: a CD holds at most {MAX_TRACKS_CD}; "
                                     "drop 'cd' from formats or split the release")
        for i, t in enumerate(tracks):
            if t.channels > 2:
                raise loc.fail(f"tracks[{i}].mix", f"{t.mix.name} has {t.channels} channels; a CD is stereo")
    return album


def _known_names(loc: Located, data: dict, where: str) -> None:
    """A target or style that mastering does not know is an error on its line."""
    from studioflow.errors import ParameterError
    from studioflow.mastering.styles import parse_style
    from studioflow.mastering.targets import get_target

    for key, check in (("target", get_target), ("style", parse_style)):
        if data.get(key) is not None:
            try:
                check(str(data[key]))
            except ParameterError as e:
                raise loc.fail(f"{where}{key}", str(e)) from None


def check_rates(album: Album) -> None:
    """A sample rate a delivery format cannot carry is an error (MP3 8-48 kHz, AAC up to 96 kHz, FLAC 655 kHz)."""
    key = "sample_rate" if album.located is not None and "sample_rate" in album.located.data else "tracks[0].mix"
    rate = album.sample_rate
    for fmt in album.formats:
        allowed = FORMAT_RATES.get(fmt)
        if allowed is not None and rate not in allowed:
            raise album.fail(key, f"{fmt} cannot carry {rate} Hz (it takes {min(allowed)}-{max(allowed)} Hz: "
                                  f"{', '.join(str(r) for r in allowed)}); drop {fmt} or set sample_rate")
        if fmt == "flac" and rate > FLAC_MAX_RATE:
            raise album.fail(key, f"FLAC cannot carry {rate} Hz (at most {FLAC_MAX_RATE})")


def _track(loc: Located, t: Any, i: int, base: Path, default_gap: float | None) -> AlbumTrack:
    where = f"tracks[{i}]"
    if not isinstance(t, dict):
        raise loc.fail(where, "each track must be a mapping (mix, title, isrc, ...)")
    _unknown(loc, t, _TRACK_KEYS, where)
    if t.get("mix") is None:
        raise loc.fail(where, "'mix' is required (the mix file of this song)")
    mix = base / str(t["mix"])
    if not mix.is_file():
        raise loc.fail(f"{where}.mix", f"no such mix file {mix}")
    try:
        from studioflow.audio.files import info

        meta = info(mix)
    except AudioFileError as e:
        raise loc.fail(f"{where}.mix", f"cannot read the mix ({e})") from None
    title = _text(loc, t, "title", f"{where}.title", True)
    isrc = None
    if t.get("isrc") is not None:
        try:
            isrc = normalise_isrc(t["isrc"])
        except ValueError as e:
            raise loc.fail(f"{where}.isrc", str(e)) from None
    crossfade = _number(loc, t, "crossfade_s", f"{where}.crossfade_s", 0.0, 30.0, 0.0, "s") or 0.0
    if crossfade and i == 0:
        raise loc.fail(f"{where}.crossfade_s", "the first track has nothing to crossfade from")
    if crossfade and t.get("gap_s"):
        raise loc.fail(f"{where}.gap_s", "a track has either a gap before it or a crossfade into it, not both")
    gap = 0.0 if crossfade else _number(loc, t, "gap_s", f"{where}.gap_s", 0.0, 60.0,
                                        0.0 if i == 0 else default_gap, "s") or 0.0
    fade_in = _number(loc, t, "fade_in_s", f"{where}.fade_in_s", 0.0, 60.0, 0.0, "s") or 0.0
    fade_out = _number(loc, t, "fade_out_s", f"{where}.fade_out_s", 0.0, 60.0, 0.0, "s") or 0.0
    duration = meta.duration_s
    if max(fade_in, crossfade) + fade_out > duration:
        raise loc.fail(f"{where}.fade_out_s", f"fades of {max(fade_in, crossfade):g} s in and {fade_out:g} s out "
                                              f"are longer than the {duration:.2f} s mix")
    ov = t.get("overrides") or {}
    if not isinstance(ov, dict):
        raise loc.fail(f"{where}.overrides", "must be a mapping (style, max_limiting_db, relative_lu, tonal_match)")
    _unknown(loc, ov, _OVERRIDE_KEYS, f"{where}.overrides")
    ow = f"{where}.overrides"
    return AlbumTrack(i + 1, mix, title, isrc, gap, crossfade, fade_in, fade_out, meta.sample_rate, meta.channels,
                      duration, ov.get("style"),
                      _number(loc, ov, "max_limiting_db", f"{ow}.max_limiting_db", 0.0, 30.0, None, "dB"),
                      _number(loc, ov, "relative_lu", f"{ow}.relative_lu", -30.0, 0.0, None, "LU"),
                      _number(loc, ov, "tonal_match", f"{ow}.tonal_match", 0.0, 1.0, None, ""))
