"""Release metadata (title, artist, album, album artist, track and disc n/total, ISRC, UPC/EAN, year, front cover)
with mutagen: one set of values, written the same into every format.

Where each tag goes:

========  =========================================================================================================
 .wav      ID3v2.3 in an ``id3 `` chunk after the audio (what DAWs and players that read WAV tags read)
 .mp3      ID3v2.3: TIT2, TPE1, TALB, TPE2 (album artist), TRCK "n/total", TPOS "n/total", TSRC, TYER (TDRC in
           v2.4 readers), TXXX:BARCODE (the UPC/EAN, as MusicBrainz Picard writes it), APIC front cover
 .flac     Vorbis comments TITLE, ARTIST, ALBUM, ALBUMARTIST, TRACKNUMBER, TRACKTOTAL, DISCNUMBER, DISCTOTAL, ISRC,
           BARCODE and UPC, DATE + a PICTURE block (type 3)
 .opus     Vorbis comments as FLAC, the cover as METADATA_BLOCK_PICTURE
 .m4a      MP4 atoms ©nam, ©ART, ©alb, aART, trkn, disk, ©day, covr and the iTunes freeform atoms
           ``----:com.apple.iTunes:ISRC`` and ``----:com.apple.iTunes:BARCODE``
========  =========================================================================================================

:func:`write_tags` acts on studioflow's own outputs (masters, encodes): it copies the file to a temporary file in
the destination folder, tags the copy and renames it into place, so the file is never seen half-tagged. Give
``out_path`` to leave the source untouched and write a tagged copy elsewhere.

>>> write_tags("master.flac", title="Intro", artist="Band", track_number=1, track_total=9,
...            isrc="GB-ABC-25-00001", year=2025, cover_path="cover.png")     # doctest: +SKIP
>>> read_tags("master.flac")["isrc"]                                        # doctest: +SKIP
'GBABC2500001'
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import atomic_write
from studioflow.audio.codes import normalise_catalog, normalise_isrc
from studioflow.errors import AudioFileError, ParameterError

__all__ = ["write_tags", "read_tags", "check_tags", "TAG_KEYS"]

TAG_KEYS = ("title", "artist", "album", "album_artist", "track_number", "track_total", "disc_number", "disc_total",
            "isrc", "upc", "year")
_SUFFIXES = (".wav", ".mp3", ".flac", ".opus", ".ogg", ".m4a")
_VORBIS = {"title": "TITLE", "artist": "ARTIST", "album": "ALBUM", "album_artist": "ALBUMARTIST", "isrc": "ISRC",
           "upc": "BARCODE"}
_ID3_TEXT = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "album_artist": "TPE2", "isrc": "TSRC"}
_MP4_TEXT = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb", "album_artist": "aART"}
_MP4_FREE = {"isrc": "----:com.apple.iTunes:ISRC", "upc": "----:com.apple.iTunes:BARCODE"}


# ---------------------------------------------------------------------------------------------------- validation

def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Check the tag values (None = leave as is); return them cleaned (ISRC without hyphens, upper case)."""
    out = dict(values)
    for key in ("title", "artist", "album", "album_artist"):
        if out[key] is not None and not isinstance(out[key], str):
            raise ParameterError(f"write_tags: {key} must be text, got {out[key]!r}")
    for key in ("track_number", "track_total", "disc_number", "disc_total"):
        value = out[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ParameterError(f"write_tags: {key} must be a whole number from 1, got {value!r}")
    if out["track_number"] is not None and out["track_total"] is not None and out["track_number"] > out["track_total"]:
        raise ParameterError(f"write_tags: track_number {out['track_number']} is past track_total "
                             f"{out['track_total']}")
    if out["disc_number"] is not None and out["disc_total"] is not None and out["disc_number"] > out["disc_total"]:
        raise ParameterError(f"write_tags: disc_number {out['disc_number']} is past disc_total {out['disc_total']}")
    for key, check in (("isrc", normalise_isrc), ("upc", normalise_catalog)):
        if out[key] is not None:
            try:
                out[key] = check(out[key])
            except ValueError as e:
                raise ParameterError(f"write_tags: {e}") from None
    year = out["year"]
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999):
        raise ParameterError(f"write_tags: year must be a four-digit number, got {year!r}")
    return out


def _read_cover(cover_path: str | os.PathLike[str]) -> tuple[bytes, str, int, int]:
    """Read a JPEG or PNG cover: (bytes, MIME type, width, height); width/height are 0 when not read (JPEG)."""
    path = Path(cover_path)
    if not path.is_file():
        raise ParameterError(f"write_tags: cover {path}: no such file")
    data = path.read_bytes()
    if data[:3] == b"\xff\xd8\xff":
        return data, "image/jpeg", 0, 0
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])  # IHDR comes first in every PNG
        return data, "image/png", width, height
    raise ParameterError(f"write_tags: cover {path}: not a JPEG or PNG image")


# --------------------------------------------------------------------------------------------------- per format

def _pair_text(tags: dict[str, Any], kind: str, old: str | None) -> str | None:
    """The "n/total" text of ``kind`` ("track" or "disc"), keeping the old half that is not being changed."""
    number, total = tags[f"{kind}_number"], tags[f"{kind}_total"]
    if number is None and total is None:
        return None
    old_number, _, old_total = (old or "").partition("/")
    number_text = str(number) if number is not None else old_number
    total_text = str(total) if total is not None else old_total
    return f"{number_text}/{total_text}" if total_text else number_text


def _write_id3(id3: Any, tags: dict[str, Any], cover: tuple[bytes, str, int, int] | None) -> None:
    from mutagen import id3 as frames

    for key, frame_id in _ID3_TEXT.items():
        if tags[key] is not None:
            id3.setall(frame_id, [getattr(frames, frame_id)(encoding=3, text=[tags[key]])])
    for kind, frame_id in (("track", "TRCK"), ("disc", "TPOS")):
        text = _pair_text(tags, kind, id3[frame_id].text[0] if frame_id in id3 else None)
        if text is not None:
            id3.setall(frame_id, [getattr(frames, frame_id)(encoding=3, text=[text])])
    if tags["year"] is not None:
        id3.setall("TDRC", [frames.TDRC(encoding=3, text=[str(tags["year"])])])
    if tags["upc"] is not None:
        id3.setall("TXXX:BARCODE", [frames.TXXX(encoding=3, desc="BARCODE", text=[tags["upc"]])])
    if cover is not None:
        id3.delall("APIC")
        id3.add(frames.APIC(encoding=3, mime=cover[1], type=3, desc="Cover", data=cover[0]))


def _read_id3(id3: Any) -> dict[str, Any]:
    out: dict[str, Any] = {key: (str(id3[fid].text[0]) if fid in id3 else None) for key, fid in _ID3_TEXT.items()}
    out.update(_split_pair("track", str(id3["TRCK"].text[0]) if "TRCK" in id3 else None))
    out.update(_split_pair("disc", str(id3["TPOS"].text[0]) if "TPOS" in id3 else None))
    out["year"] = _year(str(id3["TDRC"].text[0]) if "TDRC" in id3 else None)
    out["upc"] = str(id3["TXXX:BARCODE"].text[0]) if "TXXX:BARCODE" in id3 else None
    pictures = id3.getall("APIC")
    front = [p for p in pictures if p.type == 3] or pictures
    out["cover"], out["cover_mime"] = (front[0].data, front[0].mime) if front else (None, None)
    return out


def _picture(cover: tuple[bytes, str, int, int]) -> Any:
    from mutagen.flac import Picture

    pic = Picture()
    pic.type, pic.mime, pic.desc = 3, cover[1], "Cover"
    pic.width, pic.height, pic.depth, pic.data = cover[2], cover[3], 0, cover[0]
    return pic


def _write_vorbis(comments: Any, tags: dict[str, Any]) -> None:
    for key, name in _VORBIS.items():
        if tags[key] is not None:
            comments[name] = [tags[key]]
    if tags["upc"] is not None:
        comments["UPC"] = [tags["upc"]]
    for kind in ("track", "disc"):
        if tags[f"{kind}_number"] is not None:
            comments[f"{kind.upper()}NUMBER"] = [str(tags[f"{kind}_number"])]
        if tags[f"{kind}_total"] is not None:
            comments[f"{kind.upper()}TOTAL"] = [str(tags[f"{kind}_total"])]
    if tags["year"] is not None:
        comments["DATE"] = [str(tags["year"])]


def _read_vorbis(comments: Any) -> dict[str, Any]:
    def first(name: str) -> str | None:
        values = comments.get(name) if comments is not None else None
        return str(values[0]) if values else None

    out: dict[str, Any] = {key: first(name) for key, name in _VORBIS.items()}
    out["upc"] = out["upc"] or first("UPC")
    for kind in ("track", "disc"):
        pair = _split_pair(kind, first(f"{kind.upper()}NUMBER"))
        total = first(f"{kind.upper()}TOTAL") or first(f"TOTAL{kind.upper()}S")
        out[f"{kind}_number"] = pair[f"{kind}_number"]
        out[f"{kind}_total"] = _int(total) if total else pair[f"{kind}_total"]
    out["year"] = _year(first("DATE"))
    return out


def _write_file(path: Path, tags: dict[str, Any], cover: tuple[bytes, str, int, int] | None) -> None:
    """Tag the file at ``path`` (a temporary copy) in place."""
    suffix = path.suffix.lower()
    if suffix in (".wav", ".mp3"):
        from mutagen.id3 import ID3, ID3NoHeaderError
        if suffix == ".wav":
            from mutagen.wave import WAVE
            audio = WAVE(path)
            if audio.tags is None:
                audio.add_tags()
            _write_id3(audio.tags, tags, cover)
            audio.save(v2_version=3)
            return
        try:
            id3 = ID3(path)
        except ID3NoHeaderError:
            id3 = ID3()
        _write_id3(id3, tags, cover)
        id3.save(path, v2_version=3)
    elif suffix == ".flac":
        from mutagen.flac import FLAC
        flac = FLAC(path)
        if flac.tags is None:
            flac.add_tags()
        _write_vorbis(flac.tags, tags)
        if cover is not None:
            flac.clear_pictures()
            flac.add_picture(_picture(cover))
        flac.save()
    elif suffix in (".opus", ".ogg"):
        import mutagen
        ogg = mutagen.File(path)
        if ogg is None or ogg.tags is None:
            raise AudioFileError(f"{path}: not an Ogg Opus or Vorbis file")
        _write_vorbis(ogg.tags, tags)
        if cover is not None:
            ogg.tags["METADATA_BLOCK_PICTURE"] = [base64.b64encode(_picture(cover).write()).decode("ascii")]
        ogg.save()
    else:  # .m4a
        from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
        mp4 = MP4(path)
        if mp4.tags is None:
            mp4.add_tags()
        atoms = mp4.tags
        assert atoms is not None                # add_tags() made them
        for key, atom in _MP4_TEXT.items():
            if tags[key] is not None:
                atoms[atom] = [tags[key]]
        for kind, atom in (("track", "trkn"), ("disc", "disk")):
            if tags[f"{kind}_number"] is not None or tags[f"{kind}_total"] is not None:
                old_number, old_total = (atoms.get(atom) or [(0, 0)])[0]
                atoms[atom] = [(tags[f"{kind}_number"] or old_number, tags[f"{kind}_total"] or old_total)]
        if tags["year"] is not None:
            atoms["\xa9day"] = [str(tags["year"])]
        for key, atom in _MP4_FREE.items():
            if tags[key] is not None:
                atoms[atom] = [MP4FreeForm(tags[key].encode("utf-8"))]
        if cover is not None:
            image_format = MP4Cover.FORMAT_PNG if cover[1] == "image/png" else MP4Cover.FORMAT_JPEG
            atoms["covr"] = [MP4Cover(cover[0], imageformat=image_format)]
        mp4.save()


def _read_file(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix == ".wav":
        from mutagen.wave import WAVE
        audio = WAVE(path)
        return _read_id3(audio.tags) if audio.tags is not None else {}
    if suffix == ".mp3":
        from mutagen.id3 import ID3, ID3NoHeaderError
        try:
            return _read_id3(ID3(path))
        except ID3NoHeaderError:
            return {}
    if suffix == ".flac":
        from mutagen.flac import FLAC
        flac = FLAC(path)
        out = _read_vorbis(flac.tags)
        front = [p for p in flac.pictures if p.type == 3] or flac.pictures
        out["cover"], out["cover_mime"] = (front[0].data, front[0].mime) if front else (None, None)
        return out
    if suffix in (".opus", ".ogg"):
        import mutagen
        from mutagen.flac import Picture
        ogg = mutagen.File(path)
        if ogg is None:
            raise AudioFileError(f"{path}: not an Ogg Opus or Vorbis file")
        out = _read_vorbis(ogg.tags)
        blocks = ogg.tags.get("METADATA_BLOCK_PICTURE") if ogg.tags is not None else None
        if blocks:
            pic = Picture(base64.b64decode(blocks[0]))
            out["cover"], out["cover_mime"] = pic.data, pic.mime
        return out
    from mutagen.mp4 import MP4, MP4Tags
    atoms: MP4Tags | dict[str, Any] = MP4(path).tags or {}
    out = {key: (str(atoms[atom][0]) if atom in atoms else None) for key, atom in _MP4_TEXT.items()}
    for kind, atom in (("track", "trkn"), ("disc", "disk")):
        number, total = (atoms.get(atom) or [(0, 0)])[0]
        out[f"{kind}_number"], out[f"{kind}_total"] = number or None, total or None
    out["year"] = _year(str(atoms["\xa9day"][0]) if "\xa9day" in atoms else None)
    for key, atom in _MP4_FREE.items():
        out[key] = bytes(atoms[atom][0]).decode("utf-8") if atom in atoms else None
    covers = atoms.get("covr")
    if covers:
        mime = "image/png" if covers[0].imageformat == covers[0].FORMAT_PNG else "image/jpeg"
        out["cover"], out["cover_mime"] = bytes(covers[0]), mime
    return out


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _split_pair(kind: str, text: str | None) -> dict[str, int | None]:
    number, _, total = (text or "").partition("/")
    return {f"{kind}_number": _int(number.strip()), f"{kind}_total": _int(total.strip())}


def _year(text: str | None) -> int | None:
    match = re.match(r"^\s*(\d{4})", text or "")
    return int(match.group(1)) if match else None


def _check_taggable(path: Path) -> None:
    if path.suffix.lower() not in _SUFFIXES:
        raise AudioFileError(f"{path}: cannot tag {path.suffix or 'a file without a suffix'}: supported are "
                             f"{', '.join(_SUFFIXES)}")
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file")


# ------------------------------------------------------------------------------------------------------- public

def write_tags(path: str | os.PathLike[str], *, title: str | None = None, artist: str | None = None,
               album: str | None = None, album_artist: str | None = None, track_number: int | None = None,
               track_total: int | None = None, disc_number: int | None = None, disc_total: int | None = None,
               isrc: str | None = None, upc: str | None = None, year: int | None = None,
               cover_path: str | os.PathLike[str] | None = None,
               out_path: str | os.PathLike[str] | None = None) -> Path:
    """Tag one of studioflow's outputs (.wav, .mp3, .flac, .opus, .m4a); arguments left None keep their old value.

    The tagged file is made as a copy in the destination folder and renamed onto ``out_path`` (default: ``path``
    itself, so use it only on files we made). ``isrc`` is checked against ISO 3901 and stored without hyphens,
    ``upc`` (the release's UPC-A or EAN-13) against its GS1 check digit; ``cover_path`` is a JPEG or PNG stored as
    the front cover. Returns the tagged file's path.
    """
    source = Path(path)
    _check_taggable(source)
    target = Path(out_path) if out_path is not None else source
    if target.suffix.lower() != source.suffix.lower():
        raise AudioFileError(f"{target}: a tagged copy must keep the suffix of {source.name}")
    tags = _normalise({"title": title, "artist": artist, "album": album, "album_artist": album_artist,
                       "track_number": track_number, "track_total": track_total, "disc_number": disc_number,
                       "disc_total": disc_total, "isrc": isrc, "upc": upc, "year": year})
    cover = _read_cover(cover_path) if cover_path is not None else None
    import mutagen

    with atomic_write(target) as tmp:
        shutil.copyfile(source, tmp)
        try:
            _write_file(tmp, tags, cover)
        except mutagen.MutagenError as exc:
            raise AudioFileError(f"{source}: cannot write tags ({exc})") from None
    return target


def check_tags(tags: dict[str, Any]) -> dict[str, Any]:
    """Check ``write_tags`` keywords before long work: ParameterError naming the first bad value (cover included);
    returns them as they are."""
    _normalise({key: tags.get(key) for key in TAG_KEYS})
    if tags.get("cover_path") is not None:
        _read_cover(tags["cover_path"])
    return tags


def read_tags(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the release tags: a dict with ``TAG_KEYS`` (``year`` and the numbers as int), ``cover`` (image bytes)
    and ``cover_mime``; absent ones are None."""
    import mutagen

    source = Path(path)
    _check_taggable(source)
    try:
        found = _read_file(source)
    except mutagen.MutagenError as exc:
        raise AudioFileError(f"{source}: cannot read tags ({exc})") from None
    out: dict[str, Any] = {key: None for key in (*TAG_KEYS, "cover", "cover_mime")}
    out.update(found)
    return out
