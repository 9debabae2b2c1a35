"""Broadcast Wave (BWF) for masters: a ``bext`` chunk (EBU Tech 3285 v2, with the loudness values of EBU R128) and
the ISRC in an ``axml`` chunk (EBU Tech 3352), put into a WAV file we made; and a plain RIFF layout throughout.

:func:`make_bwf` rewrites the file as RIFF WAVE with ``fmt `` (format tag 1 for PCM of up to two channels: a
WAVE_FORMAT_EXTENSIBLE header that says PCM is turned back into plain PCM, as EBU Tech 3285 asks), ``bext``, the
``data`` chunk, then the chunks that were after it (tags) and ``axml``. JUNK and any old ``bext``/``axml`` go.
The audio bytes are copied as they are, so the samples do not change.

bext (602 bytes + coding history): Description 256, Originator 32, OriginatorReference 32, OriginationDate 10
(``yyyy-mm-dd``), OriginationTime 8 (``hh:mm:ss``), TimeReference 2 x uint32 (samples since midnight), Version
uint16 (2), UMID 64, then five int16 in 1/100 units: LoudnessValue (LUFS), LoudnessRange (LU), MaxTruePeakLevel
(dBTP), MaxMomentaryLoudness and MaxShortTermLoudness (LUFS); 0x7FFF marks a value not measured; 180 reserved
bytes; CodingHistory text lines ending in CR LF.

>>> make_bwf("song.wav", description="Song - Band", originator="studioflow", loudness={"integrated_lufs": -14.0,
...          "lra_lu": 5.2, "true_peak_dbtp": -1.1, "max_short_term_lufs": -10.3},
...          isrc="GBABC2500001")  # doctest: +SKIP
>>> read_bwf("song.wav")["bext"]["loudness_value"]                                   # doctest: +SKIP
-14.0
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import struct
from pathlib import Path
from typing import BinaryIO, Iterator
from xml.sax.saxutils import escape

from studioflow.audio.atomic import atomic_write
from studioflow.errors import AudioFileError

__all__ = ["make_bwf", "read_bwf", "riff_chunks"]

UNSET = 0x7FFF
_PCM_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")   # KSDATAFORMAT_SUBTYPE_PCM after its first 2 bytes
_DROP = {b"JUNK", b"bext", b"axml", b"fact"}
_BEXT = struct.Struct("<256s32s32s10s8sIIH64s5h180s")
_LOUDNESS = ("loudness_value", "loudness_range", "max_true_peak_level", "max_momentary_loudness",
             "max_short_term_loudness")


def riff_chunks(fh: BinaryIO, path: Path) -> Iterator[tuple[bytes, int, int]]:
    """(chunk id, offset of its body, size) of each chunk of a RIFF WAVE file; AudioFileError if it is not one."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    fh.seek(0)
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise AudioFileError(f"{path}: not a RIFF WAVE file (BWF needs one; RF64 is not supported here)")
    pos = 12
    while pos + 8 <= end:
        fh.seek(pos)
        cid, size = struct.unpack("<4sI", fh.read(8))
        yield cid, pos + 8, min(size, end - pos - 8)
        pos += 8 + size + (size & 1)


def _plain_fmt(fmt: bytes) -> bytes:
    """A WAVE_FORMAT_EXTENSIBLE ``fmt `` body that holds integer PCM of one or two channels as plain PCM (tag 1)."""
    if len(fmt) >= 40 and struct.unpack("<H", fmt[:2])[0] == 0xFFFE and fmt[26:40] == _PCM_GUID_TAIL \
            and struct.unpack("<H", fmt[2:4])[0] <= 2:
        return struct.pack("<H", 1) + fmt[2:16]
    return fmt


def _hundredths(value: float | None) -> int:
    return UNSET if value is None else max(-32768, min(32766, int(round(float(value) * 100))))


def _text(value: str, size: int) -> bytes:
    return value.encode("ascii", "replace")[:size]


def bext_body(*, description: str, originator: str, originator_reference: str = "", loudness: dict | None = None,
              coding_history: str = "", when: _dt.datetime | None = None) -> bytes:
    """The ``bext`` chunk body (EBU Tech 3285 v2) with the loudness values of ``loudness`` (``integrated_lufs``,
    ``lra_lu``, ``true_peak_dbtp``, ``max_momentary_lufs``, ``max_short_term_lufs``; missing ones unset)."""
    when = when or _dt.datetime.now()
    loud = loudness or {}
    values = [_hundredths(loud.get(k)) for k in ("integrated_lufs", "lra_lu", "true_peak_dbtp", "max_momentary_lufs",
                                                 "max_short_term_lufs")]
    history = "".join(f"{line}\r\n" for line in coding_history.splitlines() if line)
    return _BEXT.pack(_text(description, 256), _text(originator, 32), _text(originator_reference, 32),
                      when.strftime("%Y-%m-%d").encode(), when.strftime("%H:%M:%S").encode(), 0, 0, 2, b"",
                      *values, b"") + history.encode("ascii", "replace")


def isrc_axml(isrc: str) -> bytes:
    """The ``axml`` chunk body carrying ``isrc`` as EBU Tech 3352 describes (an EBUCore identifier)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ebucore:ebuCoreMain xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:ebucore="urn:ebu:metadata-schema:ebuCore_2012">\n <ebucore:coreMetadata>\n'
            '  <ebucore:identifier typeLabel="GUID" typeDefinition="Globally Unique Identifier" formatLabel="ISRC" '
            'formatDefinition="International Standard Recording Code" '
            'formatLink="http://www.ebu.ch/metadata/cs/ebu_IdentifierTypeCodeCS.xml#3.7">\n'
            f'   <dc:identifier>ISRC:{escape(isrc)}</dc:identifier>\n  </ebucore:identifier>\n'
            ' </ebucore:coreMetadata>\n</ebucore:ebuCoreMain>\n').encode("utf-8")


def _chunk(cid: bytes, body: bytes) -> bytes:
    return struct.pack("<4sI", cid, len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def make_bwf(path: str | os.PathLike[str], *, description: str, originator: str, originator_reference: str = "",
             loudness: dict | None = None, isrc: str | None = None, coding_history: str = "") -> Path:
    """Rewrite our WAV at ``path`` atomically as a BWF (module docstring); the audio bytes are unchanged."""
    path = Path(path)
    bext = bext_body(description=description, originator=originator, originator_reference=originator_reference,
                     loudness=loudness, coding_history=coding_history)
    with open(path, "rb") as src:
        chunks = list(riff_chunks(src, path))
        ids = [c[0] for c in chunks]
        if b"fmt " not in ids or b"data" not in ids:
            raise AudioFileError(f"{path}: a WAV without a fmt or data chunk cannot be made a BWF")
        data_at = ids.index(b"data")

        def body(i: int) -> bytes:
            src.seek(chunks[i][1])
            return src.read(chunks[i][2])

        head = [_chunk(b"fmt ", _plain_fmt(body(ids.index(b"fmt "))))]
        head += [_chunk(c[0], body(i)) for i, c in enumerate(chunks[:data_at]) if c[0] not in _DROP | {b"fmt "}]
        head.append(_chunk(b"bext", bext))
        tail = [_chunk(c[0], body(data_at + 1 + i)) for i, c in enumerate(chunks[data_at + 1:]) if c[0] not in _DROP]
        if isrc:
            tail.append(_chunk(b"axml", isrc_axml(isrc)))
        size = chunks[data_at][2]
        riff = 4 + sum(map(len, head)) + 8 + size + (size & 1) + sum(map(len, tail))
        if riff > 0xFFFFFFFF:
            raise AudioFileError(f"{path}: over 4 GiB: too large for a BWF (RIFF) file")
        with atomic_write(path) as tmp, open(tmp, "wb") as out:
            out.write(b"RIFF" + struct.pack("<I", riff) + b"WAVE" + b"".join(head))
            out.write(struct.pack("<4sI", b"data", size))
            src.seek(chunks[data_at][1])
            copied = _copy(src, out, size)
            if copied != size:
                raise AudioFileError(f"{path}: truncated: its data chunk holds {copied} of {size} bytes")
            out.write(b"\x00" * (size & 1) + b"".join(tail))
    return path


def _copy(src: BinaryIO, out: BinaryIO, size: int) -> int:
    left = size
    while left:
        piece = src.read(min(left, 1 << 20))
        if not piece:
            break
        out.write(piece)
        left -= len(piece)
    return size - left


def read_bwf(path: str | os.PathLike[str]) -> dict:
    """The chunk ids in order, the format tag, the ``bext`` fields (loudness in their units, None when unset) and the
    ISRC of the ``axml`` chunk, of a WAV file."""
    path = Path(path)
    out: dict = {"chunks": [], "format_tag": None, "bext": None, "isrc": None}
    with open(path, "rb") as fh:
        for cid, at, size in riff_chunks(fh, path):
            out["chunks"].append(cid.decode("latin-1"))
            fh.seek(at)
            if cid == b"fmt ":
                out["format_tag"] = struct.unpack("<H", fh.read(2))[0]
            elif cid == b"bext":
                raw = fh.read(size)
                f = _BEXT.unpack(raw[:_BEXT.size])
                text = [v.rstrip(b"\x00 ").decode("ascii", "replace") for v in f[:5]]
                out["bext"] = {"description": text[0], "originator": text[1], "originator_reference": text[2],
                               "date": text[3], "time": text[4], "version": f[7],
                               **{k: (None if v == UNSET else v / 100) for k, v in zip(_LOUDNESS, f[9:14])},
                               "coding_history": raw[_BEXT.size:].decode("ascii", "replace")}
            elif cid == b"axml":
                m = re.search(rb"ISRC:([A-Z0-9]{12})", fh.read(size))
                out["isrc"] = m.group(1).decode() if m else None
    return out

