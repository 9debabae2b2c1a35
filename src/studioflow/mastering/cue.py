"""CUE sheets for the CD image: written from the album's plan and read back (for checks and tests).

Times are ``mm:ss:ff`` with ``ff`` in CD frames of 1/75 s (Red Book, IEC 60908: a frame is one 2352-byte sector,
588 stereo 16-bit samples at 44.1 kHz). Commands as in the CDRWIN cue-sheet format: CATALOG (13 digits, the
UPC/EAN of the release), TITLE, PERFORMER, FILE "..." WAVE, then per track TRACK nn AUDIO, TITLE, PERFORMER,
ISRC (12 characters, no hyphens) before the indexes, INDEX 00 where a pregap (gap) starts and INDEX 01 where the
track's audio starts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from studioflow.errors import ParameterError

FRAMES_PER_SECOND = 75
SAMPLES_PER_FRAME = 588   # at 44.1 kHz


def msf(frames: int) -> str:
    """CD time ``mm:ss:ff`` of a position in frames (1/75 s)."""
    if frames < 0:
        raise ParameterError(f"CD time cannot be negative; got {frames} frames")
    minutes, rest = divmod(int(frames), 60 * FRAMES_PER_SECOND)
    seconds, ff = divmod(rest, FRAMES_PER_SECOND)
    return f"{minutes:02d}:{seconds:02d}:{ff:02d}"


def parse_msf(text: str) -> int:
    """Frames (1/75 s) of a CD time ``mm:ss:ff``; ParameterError when it is not one."""
    m = re.fullmatch(r"(\d{1,3}):([0-5]\d):(\d\d)", text.strip())
    if not m or int(m.group(3)) >= FRAMES_PER_SECOND:
        raise ParameterError(f"{text!r} is not a CD time mm:ss:ff (ff below 75)")
    return (int(m.group(1)) * 60 + int(m.group(2))) * FRAMES_PER_SECOND + int(m.group(3))


@dataclass(frozen=True)
class CueTrack:
    """One track of the sheet: INDEX 00 (None without a gap) and INDEX 01 in frames from the image's start."""

    number: int
    title: str
    performer: str
    isrc: str | None
    index00: int | None
    index01: int


def _quoted(text: str) -> str:
    # a cue sheet string cannot hold a double quote; a typographic one keeps the meaning
    return '"' + str(text).replace('"', "\u201d").replace("\n", " ") + '"'


def render_cue(*, title: str, performer: str, file_name: str, tracks: list[CueTrack], catalog: str | None = None,
               year: int | None = None) -> str:
    """The cue sheet text for an image ``file_name`` (a WAVE file beside it) holding ``tracks``."""
    lines = []
    if catalog:
        lines.append(f"CATALOG {catalog.zfill(13)}")   # a 12-digit UPC-A is the EAN-13 with a leading 0
    if year:
        lines.append(f"REM DATE {year}")
    lines += [f"PERFORMER {_quoted(performer)}", f"TITLE {_quoted(title)}", f"FILE {_quoted(file_name)} WAVE"]
    for t in tracks:
        lines += [f"  TRACK {t.number:02d} AUDIO", f"    TITLE {_quoted(t.title)}",
                  f"    PERFORMER {_quoted(t.performer)}"]
        if t.isrc:
            lines.append(f"    ISRC {t.isrc}")
        if t.index00 is not None:
            lines.append(f"    INDEX 00 {msf(t.index00)}")
        lines.append(f"    INDEX 01 {msf(t.index01)}")
    return "\n".join(lines) + "\n"


def parse_cue(text: str) -> dict:
    """Read a cue sheet: {catalog, title, performer, file, tracks: [{number, title, performer, isrc,
    index: {n: frames}}]}. ParameterError names the line of anything it cannot read."""
    out: dict = {"catalog": None, "title": None, "performer": None, "file": None, "tracks": []}
    track: dict | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("REM"):
            continue
        try:
            words = shlex.split(line.replace("\u201d", "'"))
        except ValueError:
            raise ParameterError(f"cue sheet line {n}: cannot read {raw!r}") from None
        cmd, args = words[0].upper(), words[1:]
        if cmd == "TRACK":
            if len(args) != 2 or not args[0].isdigit() or args[1] != "AUDIO":
                raise ParameterError(f"cue sheet line {n}: TRACK needs a number and AUDIO; got {raw!r}")
            track = {"number": int(args[0]), "title": None, "performer": None, "isrc": None, "index": {}}
            out["tracks"].append(track)
        elif cmd == "INDEX":
            if track is None or len(args) != 2:
                raise ParameterError(f"cue sheet line {n}: INDEX outside a TRACK or malformed: {raw!r}")
            track["index"][int(args[0])] = parse_msf(args[1])
        elif cmd in ("TITLE", "PERFORMER", "ISRC"):
            (track if track is not None else out)[cmd.lower()] = args[0] if args else ""
        elif cmd == "CATALOG":
            out["catalog"] = args[0]
        elif cmd == "FILE":
            out["file"] = args[0]
        else:
            raise ParameterError(f"cue sheet line {n}: unknown command {cmd}")
    return out
