"""``make_album(ALBUM.yaml, OUT_DIR)``: master the songs as a set and build the release package.

1. read and check ALBUM.yaml (line-numbered errors), plan the sequence on CD frames and check it fits a CD;
2. measure every mix; the intended loudness of each song relative to the loudest is its mix's (or the
   ``relative_lu`` override), so a ballad stays quieter than the single while the loudest lands on the target;
   an EQ moves each song part of the way toward the album's average tonal balance (loudness-normalized
   1/3-octave bands of the mixes), so the songs move toward each other;
3. master each song with ``mastering.api.master`` (the single-song chain, whose genre curve is the same for all)
   at its own loudness;
4. render the album as one sequence (gaps, fades, crossfades), cut it into per-track files at each INDEX 01 and
   deliver every asked format (``mastering.delivery``), tagged; the CD image (16-bit, 44.1 kHz) and its CUE sheet;
5. ``album.json`` (loudness, true peak and spectral balance per song, before and after), ``album.html`` and
   ``manifest.json`` (SHA-256, format, duration, loudness and true peak of every file).
Every file is written atomically; intermediate files live in a hidden folder in OUT_DIR that is removed at the end.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from studioflow.audio.atomic import write_json, write_text
from studioflow.errors import AudioFileError, OutputExistsError, ParameterError
from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.mastering import cdimage, chain, decisions, delivery
from studioflow.mastering.decisions import Stage
from studioflow.mastering.styles import STYLES
from studioflow.mastering.albumfile import FORMATS, Album, check_rates, load_album
from studioflow.mastering.cue import CueTrack, render_cue
from studioflow.mastering.measure import measure_file
from studioflow.mastering.spectral import spectral_distance_db
from studioflow.mastering.targets import resolve_target

TONAL_MATCH = 0.5          # default share of the way each song moves toward the album's average balance
TONAL_MATCH_MAX_DB = 3.0   # the most the album's tonal match moves any band
CD_IMAGE = "cd-image.wav"
CUE_SHEET = "cd-image.cue"


def _safe_name(title: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", title).strip(" .")
    return name or "untitled"


def album_average_db(spectra: Sequence[Sequence[float]]) -> np.ndarray:
    """Per-band mean of loudness-normalized band spectra (dB); songs at lower rates have fewer bands and count only
    where they have them."""
    n = max(len(s) for s in spectra)
    out = np.zeros(n)
    for i in range(n):
        out[i] = np.mean([s[i] for s in spectra if len(s) > i])
    return out


def intended_offsets_lu(mix_lufs: Sequence[float], overrides: Sequence[float | None]) -> list[float]:
    """Each song's loudness relative to the loudest (LU, <= 0): the override if given, else the mixes' difference;
    shifted so the loudest intended song sits at 0."""
    loudest = max(mix_lufs)
    rel = [o if o is not None else m - loudest for m, o in zip(mix_lufs, overrides)]
    top = max(rel)
    return [r - top for r in rel]


def tonal_match(mix: dict, average_db: np.ndarray, strength: float) -> Stage:
    """The album's tonal-match EQ for one song: ``strength`` (0..1) of the smoothed way from its loudness-normalized
    1/3-octave balance to the album average, at most ``TONAL_MATCH_MAX_DB`` per band (the single-song tonal stage,
    aimed at the album instead of a genre curve)."""
    fc = mix["spectrum"]["centers_hz"]
    goal = {"kind": "album", "name": "album average", "centers_hz": fc, "level_db": list(average_db[:len(fc)])}
    style = dataclasses.replace(STYLES["balanced"], name="album", eq_strength=float(strength),
                                eq_max_db=TONAL_MATCH_MAX_DB)
    stage = decisions.tonal_balance(mix, goal, style, mix["rate"])
    stage.name = "album tonal match"
    if strength <= 0:
        stage.enabled, stage.reason = False, "tonal_match is 0: the song keeps its own balance"
    return stage


def _apply(stage: Stage, src: Path, dst: Path) -> None:
    """Stream ``src`` through the stage's EQ into the float WAV ``dst``."""
    reader = BlockReader(src, cdimage.BLOCK)
    procs = chain.build([stage], reader.sample_rate)
    with BlockWriter(dst, reader.sample_rate, reader.channels, subtype="FLOAT") as w:
        for b in chain.stream(chain.chain_of(procs, reader.sample_rate), reader, reader.channels):
            w.write(b)


def _plan(album: Album) -> tuple[list[cdimage.Spot], int]:
    rate = album.sample_rate
    t = album.tracks
    lengths = [int(round(x.duration_s * rate)) for x in t]
    try:
        spots, total = cdimage.plan(lengths, [x.gap_s for x in t], [x.crossfade_s for x in t],
                                    [x.fade_in_s for x in t], [x.fade_out_s for x in t], rate)
    except ValueError as e:
        k = int(re.search(r"track (\d+)", str(e)).group(1)) - 1   # type: ignore[union-attr]
        raise album.fail(f"tracks[{k}]", str(e)) from None
    if "cd" in album.formats:
        why = cdimage.check_cd_length(total, len(t))
        if why:
            raise album.fail("tracks", f"{why}; drop 'cd' from formats or shorten the album")
    return spots, total


def make_album(album_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
               formats: Sequence[str] | None = None, report: bool = True,
               progress: Callable[[str, float], None] | None = None, overwrite: bool = False) -> dict:
    """Master the album of ``album_path`` (ALBUM.yaml) into ``out_dir`` in ``formats`` (default: the file's); returns
    the album record (also written as ``out_dir/album.json``). A folder that already holds a release (its
    manifest.json) is replaced only with ``overwrite``."""
    if (Path(out_dir) / "manifest.json").exists() and not overwrite:
        raise OutputExistsError(f"{out_dir}: already holds a release (manifest.json); write to a new folder, "
                                "or pass --overwrite to replace it")
    started = time.perf_counter()
    say = progress or (lambda stage, fraction: None)
    album = load_album(album_path)
    if formats:
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise ParameterError(f"unknown format {bad[0]!r}; formats: {', '.join(FORMATS)}")
        album = dataclasses.replace(album, formats=tuple(dict.fromkeys(formats)))
        check_rates(album)
    spots, total_frames = _plan(album)
    target = resolve_target(album.target, lufs=album.lufs, ceiling_dbtp=album.ceiling_dbtp)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tracks = album.tracks
    n = len(tracks)

    say("measuring the mixes", 0.0)
    mixes = []
    for t in tracks:
        m = measure_file(str(t.mix))
        if m["integrated_lufs"] is None:
            raise AudioFileError(f"{t.mix}: track {t.number}'s mix is silent (below the loudness gate)")
        mixes.append(m)
    offsets = intended_offsets_lu([m["integrated_lufs"] for m in mixes], [t.relative_lu for t in tracks])
    average = album_average_db([m["spectrum"]["level_db"] for m in mixes])
    channels = max(t.channels for t in tracks)
    rate = album.sample_rate

    work = Path(tempfile.mkdtemp(dir=out, prefix=".album-work-"))
    try:
        from studioflow.mastering.api import master

        records, matches = [], []
        for k, t in enumerate(tracks):
            say(f"mastering {t.number}/{n}: {t.title}", 0.05 + 0.5 * k / n)
            strength = t.tonal_match if t.tonal_match is not None else album.tonal_match
            stage = tonal_match(mixes[k], average, TONAL_MATCH if strength is None else strength)
            matches.append(stage.as_dict())
            source = t.mix
            if stage.enabled:
                source = work / f"matched-{t.number:02d}.wav"
                _apply(stage, t.mix, source)
            rec = master(source, work / f"master-{t.number:02d}.wav", target=album.target,
                         lufs=target.lufs + offsets[k], ceiling_dbtp=target.ceiling_dbtp,
                         style=t.style or album.style, max_limiting_db=t.max_limiting_db, formats=("wav24",))
            rec["stages"].insert(0, stage.as_dict())
            records.append(rec)
        say("sequencing the album", 0.6)
        masters = [Path(r["output"]) for r in records]
        seq = work / "sequence.wav"
        cdimage.render_sequence(masters, spots, total_frames, rate, channels, seq)
        pieces = cdimage.cut_tracks(seq, spots, total_frames, rate, work)

        files: list[tuple[Path, str, int | None]] = []
        deliveries: list[list[dict]] = []
        for k, t in enumerate(tracks):
            main = out / f"{t.number:02d} - {_safe_name(t.title)}.wav"
            made = []
            for j, fmt in enumerate(f for f in album.formats if f != "cd"):
                say(f"track {t.number}: {fmt}", 0.62 + 0.25 * (k + j / len(album.formats)) / n)
                d = delivery.deliver(fmt, pieces[k], delivery.output_path(main, fmt), rate, channels,
                                     target.ceiling_dbtp)
                from studioflow.audio.tags import write_tags

                write_tags(d["path"], title=t.title, artist=album.artist, album=album.title, track_number=t.number,
                           track_total=n, isrc=t.isrc, year=album.year, cover_path=album.cover)
                made.append(d)
                files.append((Path(d["path"]), f"track {fmt}", t.number))
            deliveries.append(made)

        cue = None
        if "cd" in album.formats:
            say("CD image and CUE sheet", 0.9)
            cdimage.write_cd_image(seq, rate, total_frames, out / CD_IMAGE)
            cue_tracks = [CueTrack(s.number, t.title, album.artist, t.isrc, s.index00, s.index01)
                          for s, t in zip(spots, tracks)]
            write_text(out / CUE_SHEET, render_cue(title=album.title, performer=album.artist, file_name=CD_IMAGE,
                                                   tracks=cue_tracks, catalog=album.catalog, year=album.year))
            cue = {"image": CD_IMAGE, "sheet": CUE_SHEET, "total_frames": total_frames,
                   "tracks": [{"number": s.number, "index00": s.index00, "index01": s.index01} for s in spots]}
            files += [(out / CD_IMAGE, "CD image", None), (out / CUE_SHEET, "CUE sheet", None)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    record = _record(album, target, mixes, records, offsets, average, spots, deliveries, cue, rate)
    record["seconds"] = round(time.perf_counter() - started, 2)
    write_json(out / "album.json", record)
    files.append((out / "album.json", "album record", None))
    if report:
        from studioflow.mastering.album_report import write_album_report

        write_album_report(record, out / "album.html")
        files.append((out / "album.html", "album report", None))
    say("manifest", 0.97)
    from studioflow.mastering.manifest import write_manifest

    write_manifest(out, files, {"title": album.title, "artist": album.artist, "catalog": album.catalog,
                                "year": album.year, "tracks": n})
    record["manifest"] = str(out / "manifest.json")
    say("done", 1.0)
    return record


def _record(album: Album, target, mixes: list[dict], records: list[dict], offsets: list[float],  # type: ignore[no-untyped-def]
            average: np.ndarray, spots: list, deliveries: list[list[dict]], cue: dict | None, rate: int) -> dict:
    after = [r["analysis"]["output"] for r in records]
    avg_after = album_average_db([a["spectrum"]["level_db"] for a in after])
    loud_before = max(m["integrated_lufs"] for m in mixes)
    loud_after = max(a["integrated_lufs"] for a in after if a["integrated_lufs"] is not None)
    songs = []
    for k, t in enumerate(album.tracks):
        fc = mixes[k]["spectrum"]["centers_hz"]
        m, a = mixes[k], after[k]
        songs.append({
            "number": t.number, "title": t.title, "isrc": t.isrc, "mix": str(t.mix),
            "intended_relative_lu": offsets[k],
            "before": {"integrated_lufs": m["integrated_lufs"], "true_peak_dbtp": m["true_peak_dbtp"],
                       "lra_lu": m["lra_lu"], "relative_lu": m["integrated_lufs"] - loud_before,
                       "spectrum_db": m["spectrum"]["level_db"],
                       "distance_to_album_db": spectral_distance_db(m["spectrum"]["level_db"],
                                                                    average[:len(fc)], fc)},
            "after": {"integrated_lufs": a["integrated_lufs"], "true_peak_dbtp": a["true_peak_dbtp"],
                      "true_peak_8x_dbtp": a.get("true_peak_8x_dbtp"), "lra_lu": a["lra_lu"],
                      "relative_lu": (a["integrated_lufs"] - loud_after) if a["integrated_lufs"] is not None else None,
                      "spectrum_db": a["spectrum"]["level_db"],
                      "distance_to_album_db": spectral_distance_db(a["spectrum"]["level_db"],
                                                                   avg_after[:len(fc)], fc)},
            "centers_hz": fc,
            "stages": [{"name": s["name"], "enabled": s["enabled"], "reason": s["reason"]} for s in records[k]["stages"]],
            "warnings": records[k]["warnings"],
            "deliveries": deliveries[k],
            "spot": {"index00": spots[k].index00, "index01": spots[k].index01, "start_sample": spots[k].start,
                     "crossfade_s": spots[k].overlap / rate, "fade_in_s": spots[k].fade_in_s,
                     "fade_out_s": spots[k].fade_out_s},
        })
    spread = {w: float(np.mean([s[w]["distance_to_album_db"] for s in songs])) for w in ("before", "after")}
    return {"album": str(album.path), "title": album.title, "artist": album.artist, "catalog": album.catalog,
            "year": album.year, "target": target.as_dict(), "sample_rate": rate, "formats": list(album.formats),
            "tonal_spread_db": spread, "songs": songs, "cd": cue}
