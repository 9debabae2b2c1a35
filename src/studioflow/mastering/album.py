"""``make_album(ALBUM.yaml, OUT_DIR)``: master the songs as a set and build the release package.

1. read and check ALBUM.yaml (line-numbered errors), plan the sequence on CD frames and check it fits a CD;
2. measure every mix; the intended loudness of each song relative to the loudest is its mix's (or the
   ``relative_lu`` override), so a ballad stays quieter than the single while the loudest lands on the target;
   an EQ moves each song part of the way toward the album's average tonal balance (loudness-normalized
   1/3-octave bands of the mixes), so the songs move toward each other;
3. master each song with ``mastering.api.master`` (the single-song chain, whose genre curve is the same for all)
   at its own loudness;
4. render the album as one sequence (gaps, fades, crossfades), cut it into per-track files at each INDEX 01 and
   deliver every asked format (``mastering.delivery``), all tagged from one source (``release_tags``), the
   24-bit WAVs as BWF; the album's one 16-bit master (resampled once, dithered once, the dither muted in digital
   silence) is the CD image, and the 16-bit track files are cut from it, so they equal the CD sample for sample
   and its gaps are zeros; with it the CUE sheet and the DDP 2.0 fileset (``mastering.ddp``);
5. ``album.json`` (loudness, true peak and spectral balance per song, before and after, and why a song is
   quieter than its single master would be), ``album.html`` and ``manifest.json`` (SHA-256, format, duration,
   loudness and true peak of every file).
Every file is written atomically; intermediate files live in a hidden folder in OUT_DIR that is removed at the end.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from studioflow.audio.atomic import write_json, write_text
from studioflow.audio.debris import hidden_dir
from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.errors import AudioFileError, OutputExistsError, ParameterError
from studioflow.mastering import cdimage, chain, decisions, delivery
from studioflow.mastering.albumfile import FORMATS, Album, AlbumTrack, check_rates, load_album
from studioflow.mastering.cue import SAMPLES_PER_FRAME, CueTrack, render_cue
from studioflow.mastering.ddp import FILES as DDP_FILES
from studioflow.mastering.ddp import write_ddp
from studioflow.mastering.decisions import Stage
from studioflow.mastering.measure import measure_file
from studioflow.mastering.spectral import spectral_distance_db
from studioflow.mastering.styles import STYLES
from studioflow.mastering.targets import Target, resolve_target

TONAL_MATCH = 0.5          # default share of the way each song moves toward the album's average balance
TONAL_MATCH_MAX_DB = 3.0   # the most the album's tonal match moves any band
CD_IMAGE = "cd-image.wav"
CUE_SHEET = "cd-image.cue"
DDP_FOLDER = "DDP"


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
        why = cdimage.check_cd(spots, total)
        if why:
            raise album.fail("tracks", f"{why}; drop 'cd' from formats or change the sequence")
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

    work = hidden_dir(out, "album-work")
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
        starts = [cdimage.to_samples(s.index01, rate) for s in spots] + [cdimage.to_samples(total_frames, rate)]
        pieces = cdimage.cut_tracks(seq, starts, [work / f"track-{t.number:02d}.wav" for t in tracks], "FLOAT")
        mains = [out / f"{t.number:02d} - {_safe_name(t.title)}.wav" for t in tracks]
        tags = [release_tags(album, t) for t in tracks]

        files: list[tuple[Path, str, int | None]] = []
        deliveries: list[list[dict]] = [[] for _ in tracks]
        for k, t in enumerate(tracks):
            for j, fmt in enumerate(f for f in album.formats if f not in ("cd", "wav16")):
                say(f"track {t.number}: {fmt}", 0.62 + 0.25 * (k + j / len(album.formats)) / n)
                d = delivery.deliver(fmt, pieces[k], delivery.output_path(mains[k], fmt), rate, channels,
                                     target.ceiling_dbtp)
                delivery.finish(d, tags[k], originator_reference=t.isrc or "")
                deliveries[k].append(d)
                files.append((Path(d["path"]), f"track {fmt}", t.number))

        cue = None
        if {"cd", "wav16"} & set(album.formats):
            say("the 16-bit master: CD image and 16-bit tracks", 0.88)
            image = out / CD_IMAGE if "cd" in album.formats else work / CD_IMAGE
            cuts = [delivery.output_path(m, "wav16") if "wav16" in album.formats else work / f"{m.stem}-16.wav"
                    for m in mains]
            made16 = _sixteen_bit(seq, rate, total_frames, spots, image, cuts, target.ceiling_dbtp)
            if "wav16" in album.formats:
                for k, d in enumerate(made16):
                    delivery.finish(d, tags[k])
                    deliveries[k].append(d)
                    files.append((Path(d["path"]), "track wav16", tracks[k].number))
        if "cd" in album.formats:
            cue_tracks = [CueTrack(s.number, t.title, album.artist, t.isrc, s.index00, s.index01)
                          for s, t in zip(spots, tracks)]
            write_text(out / CUE_SHEET, render_cue(title=album.title, performer=album.artist, file_name=CD_IMAGE,
                                                   tracks=cue_tracks, catalog=album.catalog, year=album.year))
            say("DDP fileset", 0.93)
            write_ddp(out / CD_IMAGE, out / DDP_FOLDER, cue_tracks, upc=album.catalog,
                      master_id=f"{album.artist} - {album.title}")
            cue = {"image": CD_IMAGE, "sheet": CUE_SHEET, "ddp": DDP_FOLDER, "total_frames": total_frames,
                   "gain_db": made16[0]["trim_db"], "note": made16[0]["note"],
                   "tracks": [{"number": s.number, "index00": s.index00, "index01": s.index01} for s in spots]}
            files += [(out / CD_IMAGE, "CD image", None), (out / CUE_SHEET, "CUE sheet", None)]
            files += [(out / DDP_FOLDER / name, "DDP fileset", None) for name in (*DDP_FILES, "CHECKSUM.MD5")]
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


def loudness_note(offset_lu: float, overridden: bool, single_lufs: float, album_lufs: float | None) -> str:
    """Why a song's album master is as loud as it is, next to what ``master`` (and ``produce``) would give it as a
    single: the target itself."""
    if album_lufs is None or abs(offset_lu) < 0.05:
        return f"on the album's target, {single_lufs:g} LUFS, as its single master would be"
    why = ("its relative_lu override" if overridden else
           f"its mix sits {-offset_lu:.1f} LU below the loudest song's, and the album keeps that distance")
    return (f"{album_lufs:.1f} LUFS on the album, {single_lufs - album_lufs:.1f} LU below its single master "
            f"({single_lufs:g} LUFS): {why}; set overrides.relative_lu: 0 to master it as loud as the loudest")


def release_tags(album: Album, track: AlbumTrack) -> dict:
    """The tags every delivery of ``track`` carries (``audio.tags.write_tags`` keywords): one source for all."""
    return {"title": track.title, "artist": album.artist, "album": album.title, "album_artist": album.artist,
            "track_number": track.number, "track_total": len(album.tracks), "disc_number": 1, "disc_total": 1,
            "isrc": track.isrc, "upc": album.catalog, "year": album.year, "cover_path": album.cover}


def _sixteen_bit(seq: Path, rate: int, total_frames: int, spots: Sequence[cdimage.Spot], image: Path,
                 cuts: Sequence[Path], ceiling_dbtp: float) -> list[dict]:
    """The album's one 16-bit master into ``image`` and the 16-bit tracks cut from it at each INDEX 01 into
    ``cuts``, every track checked (8x true peak) and the whole made again lower if one went over; the wav16
    delivery records."""
    bounds = [s.index01 * SAMPLES_PER_FRAME for s in spots] + [total_frames * SAMPLES_PER_FRAME]
    gain_db, note = 0.0, ""
    for attempt in range(3):
        cdimage.write_16bit(seq, rate, total_frames, image, gain_db=gain_db)
        cdimage.cut_tracks(image, bounds, cuts, "PCM_16")
        measured = [delivery.measure_written(c) for c in cuts]
        over = max((m[1] - ceiling_dbtp for m in measured if m[1] is not None), default=0.0)
        if over <= 0:
            break
        gain_db -= over + delivery.SAFETY_DB
        note = (f"resampling and dither pushed the true peak {over:.2f} dB over the ceiling; the 16-bit master "
                f"was made again {-gain_db:.2f} dB lower")
    return [{"format": delivery.FORMATS["wav16"]["label"], "key": "wav16", "path": str(c), "integrated_lufs": m[0],
             "dither": delivery.DITHER_DEFAULT, "true_peak_dbtp": m[1], "trim_db": round(gain_db, 3), "note": note,
             "analysis": m[2]} for c, m in zip(cuts, measured)]


def _record(album: Album, target: Target, mixes: list[dict], records: list[dict], offsets: list[float],
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
            "loudness_note": loudness_note(offsets[k], t.relative_lu is not None, target.lufs, a["integrated_lufs"]),
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
            "stages": [{"name": s["name"], "enabled": s["enabled"], "reason": s["reason"]}
                       for s in records[k]["stages"]],
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
