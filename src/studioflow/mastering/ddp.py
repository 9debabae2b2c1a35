"""DDP 2.00 filesets, the format CD replication plants ask for: written from the album's 16-bit CD image and its
track plan, and read back (structure, checksums, PQ times) to check one.

A fileset is a folder (Doug Carson & Associates' Disc Description Protocol; field layout as DDP mastering tools
write it and plants read it):

- ``DDPID`` (128 bytes): ``DDP 2.00``, the UPC/EAN (13 digits; a UPC-A gets its leading 0), the master ID, ``CD``;
- ``DDPMS``: one 128-byte ``VVVM`` packet per stream: ``S0`` ``PQ DESCR`` (its length in bytes) naming
  ``PQDESCR``, and ``D0`` ``DA`` (its length in 2352-byte sectors, storage mode 7, a 150-sector track 1 pregap)
  naming ``IMAGE.DAT``;
- ``PQDESCR``: 64-byte ``VVVS`` packets: the lead-in (track 00 index 00 at 00:00:00, with the UPC), per track its
  index 00 (track 1's at 00:00:00) and index 01, the ISRC on the track's first packet, times as absolute MMSSFF;
  the lead-out (track AA index 01 at the end of the audio) twice; control and ADR ``01`` (no pre-emphasis, copy
  not permitted, mode 1);
- ``IMAGE.DAT``: the program as raw CD audio, signed 16-bit little-endian, left then right, from 00:00:00: the
  2 s (150 sectors) of digital silence of track 1's pregap, then the CD image sample for sample;
- ``CHECKSUM.MD5`` beside them (``md5sum`` format) for every file above.

So a time in PQDESCR is the CUE sheet's time plus 150 frames.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from studioflow.audio.atomic import _umask
from studioflow.audio.debris import hidden_dir, note_output
from studioflow.errors import AudioFileError, OutputExistsError
from studioflow.mastering.cue import SAMPLES_PER_FRAME, CueTrack

PREGAP = 150                 # frames of silence before track 1's INDEX 01 (2 s)
SECTOR_BYTES = 2352          # one frame of 16-bit stereo audio (588 samples)
FILES = ("DDPID", "DDPMS", "PQDESCR", "IMAGE.DAT")
CONTROL_ADR = "01"


def _field(text: str, width: int, right: bool = False) -> bytes:
    """An ASCII field of exactly ``width`` bytes, space padded (numbers right-aligned)."""
    raw = text.encode("ascii", "replace")[:width]
    return raw.rjust(width) if right else raw.ljust(width)


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def _hhmmssff(frames: int) -> str:
    minutes, rest = divmod(frames, 60 * 75)
    seconds, ff = divmod(rest, 75)
    return f"{minutes:02d}{seconds:02d}{ff:02d}"


def ddpid(upc: str | None, master_id: str) -> bytes:
    """The 128-byte DDPID record."""
    return (_field("DDP 2.00", 8) + _field((upc or "").zfill(13) if upc else "", 13) + _field("", 17)
            + _field(_ascii(master_id), 48) + _field("", 1) + _field("CD", 2) + _field("", 39))


def ms_packet(kind: str, length: int, name: str, *, sub: str = "", audio: bool = False) -> bytes:
    """One 128-byte DDPMS packet: ``kind`` "S0" (length in bytes, subcode ``sub``) or "D0" (length in sectors)."""
    return (_field("VVVM", 4) + _field(kind, 2) + _field("", 8) + _field(str(length), 8, True)
            + _field("0" if audio else "", 8, True) + _field(sub, 8) + _field("DA70" if audio else "", 4)
            + _field("", 4) + _field(str(PREGAP) if audio else "", 4, True) + _field("", 21)
            + _field("17", 3, True) + _field(name, 17) + _field("", 37))


def pq_packet(track: str, index: int, frames: int, *, isrc: str | None = None, upc: str | None = None) -> bytes:
    """One 64-byte PQ descriptor packet at absolute time ``frames``."""
    return (_field("VVVS", 4) + _field(track, 2) + _field(f"{index:02d}", 2) + _field(_hhmmssff(frames), 8, True)
            + _field(CONTROL_ADR, 2) + _field("", 2) + _field(isrc or "", 12) + _field((upc or "").zfill(13)
                                                                                       if upc else "", 13)
            + _field("", 19))


def pq_descriptor(tracks: Sequence[CueTrack], total_frames: int, upc: str | None) -> bytes:
    """The PQ descriptor of ``tracks`` (times relative to the CD image, ``total_frames`` long)."""
    out = [pq_packet("00", 0, 0, upc=upc)]
    for t in tracks:
        first = 0 if t.number == 1 else (None if t.index00 is None else t.index00 + PREGAP)
        if first is not None:
            out.append(pq_packet(f"{t.number:02d}", 0, first, isrc=t.isrc))
        out.append(pq_packet(f"{t.number:02d}", 1, t.index01 + PREGAP, isrc=None if first is not None else t.isrc))
    lead_out = pq_packet("AA", 1, total_frames + PREGAP)
    return b"".join(out) + lead_out + lead_out


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(1 << 20), b""):
            h.update(piece)
    return h.hexdigest()


def write_ddp(image: Path, folder: Path, tracks: Sequence[CueTrack], *, upc: str | None, master_id: str) -> Path:
    """Write the DDP 2.00 fileset of the 16-bit 44.1 kHz stereo CD ``image`` (whose tracks are ``tracks``) into
    ``folder``, which must not exist: it is made beside as a hidden folder and renamed into place when complete."""
    from studioflow.audio.stream import BlockReader

    if folder.exists():
        raise OutputExistsError(f"{folder}: already exists; a DDP fileset is written into a new folder")
    reader = BlockReader(image, 1 << 16)
    if (reader.sample_rate, reader.channels, reader.subtype) != (44100, 2, "PCM_16") \
            or reader.frames % SAMPLES_PER_FRAME:
        raise AudioFileError(f"{image}: a DDP image needs 16-bit 44.1 kHz stereo audio in whole CD frames")
    total = reader.frames // SAMPLES_PER_FRAME
    work = hidden_dir(folder.parent, folder.name)
    try:
        with open(work / "IMAGE.DAT", "wb") as fh:
            fh.write(bytes(PREGAP * SECTOR_BYTES))
            for b in reader:         # exact: a 16-bit sample c reads as c / 32768
                fh.write(np.rint(b.T * 32768.0).astype("<i2").tobytes())
        pq = pq_descriptor(tracks, total, upc)
        (work / "PQDESCR").write_bytes(pq)
        (work / "DDPMS").write_bytes(ms_packet("S0", len(pq), "PQDESCR", sub="PQ DESCR")
                                     + ms_packet("D0", total + PREGAP, "IMAGE.DAT", audio=True))
        (work / "DDPID").write_bytes(ddpid(upc, master_id))
        (work / "CHECKSUM.MD5").write_text("".join(f"{_md5(work / n)} *{n}\n" for n in FILES), encoding="ascii")
        for name in (*FILES, "CHECKSUM.MD5"):
            with open(work / name, "rb+") as fh:
                os.fsync(fh.fileno())
        os.chmod(work, 0o777 & ~_umask())        # mkdtemp makes 0700; give the folder the usual permissions
        note_output(folder)
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return folder


def _number(raw: bytes) -> int | None:
    text = raw.decode("ascii").strip()
    return int(text) if text.isdigit() else None


def read_ddp(folder: str | os.PathLike[str]) -> dict:
    """Read and check a DDP fileset: the UPC, master ID, the audio stream (file, sectors, pregap) and per track its
    ISRC and index times (absolute frames), the lead-out; AudioFileError naming the file and what is wrong."""
    folder = Path(folder)

    def load(name: str) -> bytes:
        path = folder / name
        if not path.is_file():
            raise AudioFileError(f"{path}: missing from the DDP fileset")
        return path.read_bytes()

    ident = load("DDPID")
    if len(ident) != 128 or ident[:8] != b"DDP 2.00":
        raise AudioFileError(f"{folder / 'DDPID'}: not a 128-byte DDP 2.00 identifier")
    ms = load("DDPMS")
    if not ms or len(ms) % 128:
        raise AudioFileError(f"{folder / 'DDPMS'}: its length {len(ms)} is not a multiple of 128 bytes")
    streams: dict[str, dict[str, Any]] = {}   # kind -> file, length, pregap
    for k in range(0, len(ms), 128):
        p = ms[k:k + 128]
        if p[:4] != b"VVVM":
            raise AudioFileError(f"{folder / 'DDPMS'}: packet {k // 128 + 1} does not start with VVVM")
        kind = "audio" if p[4:6] == b"D0" and p[38:40] == b"DA" else p[30:38].decode("ascii").strip()
        streams[kind] = {"file": p[74:91].decode("ascii").strip(), "length": _number(p[14:22]),
                         "pregap": _number(p[46:50])}
    if "audio" not in streams or "PQ DESCR" not in streams:
        raise AudioFileError(f"{folder / 'DDPMS'}: does not name both a D0 DA audio stream and a PQ DESCR stream")
    pq, audio = load(streams["PQ DESCR"]["file"]), streams["audio"]
    if len(pq) != streams["PQ DESCR"]["length"] or len(pq) % 64:
        raise AudioFileError(f"{folder / streams['PQ DESCR']['file']}: {len(pq)} bytes, but DDPMS says "
                             f"{streams['PQ DESCR']['length']} (64 per packet)")
    image = folder / audio["file"]
    if not image.is_file() or image.stat().st_size != (audio["length"] or 0) * SECTOR_BYTES:
        raise AudioFileError(f"{image}: missing, or not the {audio['length']} sectors DDPMS says")
    tracks: dict[int, dict] = {}
    lead_out, upc = None, None
    for k in range(0, len(pq), 64):
        p = pq[k:k + 64]
        if p[:4] != b"VVVS":
            raise AudioFileError(f"{folder / streams['PQ DESCR']['file']}: packet {k // 64 + 1} is damaged")
        trk, idx, t = p[4:6].decode(), int(p[6:8]), p[8:16].decode("ascii").strip().zfill(6)
        frames = (int(t[:2]) * 60 + int(t[2:4])) * 75 + int(t[4:6])
        upc = upc or p[32:45].decode("ascii").strip() or None
        if trk == "AA":
            lead_out = frames
        elif trk != "00":
            entry = tracks.setdefault(int(trk), {"number": int(trk), "isrc": None, "index": {}})
            entry["index"][idx] = frames
            entry["isrc"] = entry["isrc"] or p[20:32].decode("ascii").strip() or None
    if lead_out != audio["length"]:
        raise AudioFileError(f"{folder}: the lead-out ({lead_out}) is not at the end of the audio "
                             f"({audio['length']} sectors)")
    sums = (folder / "CHECKSUM.MD5").read_text(encoding="ascii") if (folder / "CHECKSUM.MD5").is_file() else ""
    for line in sums.splitlines():
        digest, _, name = line.partition(" *")
        if _md5(folder / name) != digest:
            raise AudioFileError(f"{folder / name}: its MD5 does not match CHECKSUM.MD5")
    return {"upc": upc or (ident[8:21].decode("ascii").strip() or None),
            "master_id": ident[38:86].decode("ascii").strip(), "image": image, "sectors": audio["length"],
            "pregap": audio["pregap"], "tracks": [tracks[n] for n in sorted(tracks)], "lead_out": lead_out,
            "checksummed": sorted(line.partition(" *")[2] for line in sums.splitlines())}
