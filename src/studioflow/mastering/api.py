"""``master(mix_path, out_path, ...)``: one mix in, a master that meets its target and a record of what was done.

Passes over the audio, each streamed in blocks. The decoded mix and the chain's output are kept between passes in
memory up to 128 MB each (~6 minutes of 44.1 kHz stereo), the rest in scratch files (``scratch.Scratch``), so
memory stays bounded, the MP3/AAC deliveries included (``audio.encode`` encodes them, and decodes them again for
the check, in blocks).
1. measure the mix (kept for pass 2), and the reference in a second thread (its measurement cached by content hash
   in the user's cache folder, ``measure.measure_reference``); decide every stage from the numbers (the EQ is fitted
   for what the stereo stages after it do to each band);
2. run the chain before the limiter (cleanup, tonal balance, compression, stereo), kept for pass 3 and measured in
   a second thread;
3. gain + true-peak limiter rendered (kept the same way, only the last render) and measured as it is made (loudness,
   4x true peak, the limiter's own gain reduction); a render within 0.3 LU of the target is landed by a gain after
   the limiter (inside the ceiling margin), a farther one is rendered again at a secant-stepped gain. A reference
   match's excerpt trial (pass 2) measures what the limiter takes there and what one more dB of gain brings, so the
   first render starts at the gain that makes up for it; then, as under light limiting, the first render also writes the
   24-bit master, measured and 8x-checked beside it, kept if it lands within 0.05 LU;
4. write the (other) delivery files with that post-gain, each read again and measured (the 8x check and the
   spectrum in threads of their own); then OUT.json and the optional HTML report.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from studioflow.audio.atomic import write_json
from studioflow.audio.stream import BlockReader
from studioflow.dsp.dither import SHAPES as DITHER_SHAPES
from studioflow.errors import AudioFileError, ParameterError
from studioflow.mastering import chain, decisions, delivery, matching, parallel
from studioflow.mastering.content import require_music
from studioflow.mastering.loudness_floor import Loudness
from studioflow.mastering.measure import MixMeter, measure_file, measure_reference
from studioflow.mastering.scratch import Scratch, hidden_wav
from studioflow.mastering.spectral import octave_db, spectral_distance_db
from studioflow.mastering.styles import parse_style
from studioflow.mastering.targets import Target, resolve_target

BLOCK = 1 << 16
SPECULATE_BELOW_LIMITING_DB = 2.0   # predicted limiting under which the first render also writes the master
KEEP_RENDER_LU = 0.05               # ... and is kept as it is when it lands this close to the target
# a reference match is tried on an excerpt: runs of EXCERPT_RUN blocks (~1.5 s each), half the song and at most
# EXCERPT_MAX_S in all (held in memory); the whole of a song shorter than EXCERPT_MIN_BLOCKS blocks
EXCERPT_RUN, EXCERPT_MIN_BLOCKS, EXCERPT_MAX_S = 3, 18, 150.0
# the trial's limiter is rendered a second time (loudness only) when it took at least TRIAL_LOSS_MIN_LU, one loss
# (at least TRIAL_STEP_MIN_DB) higher: the slope there sets the full render's first gain and step
TRIAL_LOSS_MIN_LU, TRIAL_STEP_MIN_DB = 0.05, 0.25


@contextlib.contextmanager
def _temp_wav(folder: Path, stem: str) -> Iterator[Path]:
    path = hidden_wav(folder, stem)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def master(mix_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
           target: str | Target | None = "spotify", lufs: float | None = None, ceiling_dbtp: float | None = None,
           reference: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
           style: str | None = None, max_limiting_db: float | None = None, formats: Sequence[str] = ("wav24",),
           report: str | os.PathLike[str] | None = None, dither: str = delivery.DITHER_DEFAULT,
           progress: Callable[[str, float], None] | None = None, tags: dict | None = None,
           reference_weights: Sequence[float] | None = None, match: float | dict[str, float] | None = None,
           preset: str | os.PathLike[str] | None = None, save_preset: str | os.PathLike[str] | None = None) -> dict:
    """Master ``mix_path`` to ``out_path`` (24-bit WAV at the mix's rate, plus ``formats``: wav16, flac, mp3, aac)
    for ``target`` (a name from ``studioflow targets``, or ``lufs`` LUFS / ``ceiling_dbtp`` dBTP), optionally
    matching ``reference`` (one file or several, weighted by ``reference_weights``; or a ``preset`` saved earlier
    with ``save_preset``) by ``match`` (0..1 for every dimension, or per dimension: tone, dynamics, width, loudness;
    ``mastering.matching``); ``style`` as ``--style``; ``max_limiting_db`` caps the limiter's gain reduction (dB);
    ``dither`` "shaped" or "tpdf" for wav16; ``tags`` (``audio.tags.write_tags`` keywords) go into every file, the
    24-bit master being a BWF (``delivery.finish``). Writes ``OUT.json`` (and ``report`` HTML) and returns the same
    record.

    A run that fails or is interrupted takes back the files it had already delivered, so no partial set is left."""
    written: list[Path] = []
    try:
        with contextlib.ExitStack() as scratch:
            return _master(mix_path, out_path, target=target, lufs=lufs, ceiling_dbtp=ceiling_dbtp,
                           reference=reference, style=style, max_limiting_db=max_limiting_db, formats=formats,
                           report=report, dither=dither, progress=progress, written=written, scratch=scratch,
                           tags=tags, wanted={"weights": reference_weights, "match": match, "preset": preset,
                                             "save_preset": save_preset})
    except BaseException:
        for path in written:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise


def _master(mix_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *, target: str | Target | None,
            lufs: float | None, ceiling_dbtp: float | None, reference: Any,
            style: str | None, max_limiting_db: float | None, formats: Sequence[str],
            report: str | os.PathLike[str] | None, dither: str, progress: Callable[[str, float], None] | None,
            written: list[Path], scratch: contextlib.ExitStack, tags: dict | None = None,
            wanted: dict | None = None) -> dict:
    """The work of :func:`master`; every file delivered is added to ``written`` as soon as it is in place; the
    audio kept between passes (``Scratch``) lives as long as ``scratch``; ``wanted`` holds the match's weights,
    amounts, preset and preset to save."""
    started = time.perf_counter()
    say = progress or (lambda stage, fraction: None)
    mix_path, out = Path(mix_path), Path(out_path)
    if not mix_path.is_file():
        raise AudioFileError(f"{mix_path}: no such mix file")
    if out.resolve() == mix_path.resolve():
        raise ParameterError(f"{out}: the master cannot overwrite its mix")
    if not out.parent.is_dir():
        raise ParameterError(f"{out}: the folder {out.parent} does not exist")
    if max_limiting_db is not None and not 0.0 <= float(max_limiting_db) <= 30.0:
        raise ParameterError(f"--max-limiting must be from 0 to 30 dB; got {max_limiting_db!r}")
    if dither not in DITHER_SHAPES:
        raise ParameterError(f"unknown --dither {dither!r}; choose one of {', '.join(DITHER_SHAPES)}")
    unknown = [f for f in formats if f not in delivery.FORMATS]
    if unknown:
        raise ParameterError(f"unknown delivery format {unknown[0]!r}; formats: {', '.join(delivery.FORMATS)}")
    if tags:
        from studioflow.audio.tags import check_tags

        check_tags(tags)
    tgt = resolve_target(target, lufs=lufs, ceiling_dbtp=ceiling_dbtp)
    sty, curve = parse_style(style)

    # 1. measure and decide -------------------------------------------------------------------------------
    say("measuring the mix", 0.0)
    wanted = wanted or {}
    refs = [] if reference is None else [reference] if isinstance(reference, (str, os.PathLike)) else list(reference)
    missing = [str(r) for r in refs if not Path(r).is_file()]
    if missing:
        raise AudioFileError(f"{missing[0]}: no such reference file")
    match = wanted.get("match")
    amount = matching.amounts(**match) if isinstance(match, dict) else matching.amounts(match)
    preset_target = None
    if wanted.get("preset") is not None:
        if refs:
            raise ParameterError("give a reference or a preset, not both")
        preset_target, preset_amount, _ = matching.load_preset(wanted["preset"])
        amount = amount if match is not None else preset_amount
    ref_jobs = [parallel.start(measure_reference, r) for r in refs]    # on the other core
    # the mix's spectrum in a thread of its own too: the other core is free once a cached reference is read; the
    # decoded mix is kept for the chain's pass
    head = BlockReader(mix_path, BLOCK)
    mix_kept = scratch.enter_context(Scratch(out.parent, out.stem + "-mix", head.sample_rate, head.channels))
    mix = measure_file(str(mix_path), progress=lambda f: say("measuring the mix", 0.15 * f), beside=True,
                       keep=mix_kept)
    mix_kept.done()
    measured = [job.result()[0] for job in ref_jobs]
    if mix["integrated_lufs"] is None:
        raise AudioFileError(f"{mix_path}: the mix is silent (below the loudness gate); nothing to master")
    require_music(mix_path, mix["integrated_lufs"], mix["dc_offset"])
    rate, channels = mix["rate"], mix["channels"]
    silent = [str(r) for r, m in zip(refs, measured) if m["integrated_lufs"] is None]
    if silent:
        raise AudioFileError(f"{silent[0]}: the reference is silent")
    ref = matching.combine(measured, wanted.get("weights")) if measured else preset_target
    tonal_goal = decisions.tonal_target(mix, curve, ref, amount["tone"])
    clean = decisions.cleanup(mix, ref)
    stereo = decisions.stereo(mix, ref, amount["width"])   # decided first: its change per band is left out of the EQ's
    eq_stage = decisions.tonal_balance(mix, tonal_goal, sty, rate, clean,
                                       later_db=decisions.stereo_band_change_db(mix, stereo, rate))
    stages = [clean, eq_stage, decisions.compression(mix, sty, ref, eq_stage, amount["dynamics"]), *stereo]
    warnings: list[str] = matching.reference_warnings(refs, measured, mix)
    if mix["clipped_samples"] > 0:
        warnings.append(f"the mix holds {mix['clipped_samples']} samples in runs of 3 or more at full scale "
                        "(clipped, or over full scale in a float file): the master cannot restore them; a mix with "
                        "headroom would sound cleaner")
    if ref is not None and ref["rate"] != rate:
        warnings.append(f"the reference runs at {ref['rate']} Hz and the mix at {rate} Hz: only bands both share count")
    goal = tgt
    if ref is not None and target is None and lufs is None and amount["loudness"] > 0:
        aimed = tgt.lufs + amount["loudness"] * (ref["integrated_lufs"] - tgt.lufs)
        goal = Target(tgt.name, round(aimed, 2), tgt.ceiling_dbtp, tgt.source, tgt.note)
    if wanted.get("save_preset") is not None and ref is not None:
        written.append(matching.save_preset(wanted["save_preset"], ref, amount, [str(r) for r in refs]))

    with _temp_wav(out.parent, out.stem + "-24") as spec_path:
        # 2. the chain before the limiter. A reference match is first tried on an excerpt of the mix through the
        # whole chain and the limiter; when that missed the reference, the EQ is fitted again from the miss
        # (predict, render, measure, correct), then the whole mix runs through the chain once ---------------------
        compresses = any(s.enabled and s.name == "compression" for s in stages)
        response = None                    # what the limiter took in the trial, when there was one
        if eq_stage.enabled and tonal_goal["kind"] == "reference":
            say("tonal balance: trying the chain on an excerpt", 0.18)
            excerpt = _excerpt(mix_kept.blocks(), mix_kept.frames, rate)
            trial = _through_limiter(stages, excerpt, rate, channels, goal, max_limiting_db)
            response = trial["limiter"] if trial else None
            better = decisions.refit_tonal(eq_stage, trial, tonal_goal, rate, clean) if trial else None
            if better is not None:
                stages[stages.index(eq_stage)] = eq_stage = better
                comp = next(i for i, s in enumerate(stages) if s.name == "compression")
                stages[comp] = decisions.compression(mix, sty, ref, eq_stage, amount["dynamics"])   # follows the EQ
        pre, pre_kept = _chain_pass(stages, mix_kept, out, scratch, say, spectrum=compresses)
        mix_kept.release()
        if pre["integrated_lufs"] is None:
            raise AudioFileError(f"{mix_path}: the chain left nothing above the loudness gate")

        # 3. gain and limiter, rendered and measured until on target (4. the limiter's own gain reduction) -----
        loud_stage = decisions.loudness(pre["integrated_lufs"], pre["true_peak_dbtp"], goal, max_limiting_db)
        aim = loud_stage.settings["target_lufs"]
        first_gain, slope = None, 1.0
        if response is not None:           # the first render makes up for the loss the trial measured
            first_gain = loud_stage.settings["gain_db"] + response["loss_lu"] / response["slope"]
            slope = response["slope"]
            loud_stage.settings["trial_limiter_loss_lu"] = response["loss_lu"]
            loud_stage.settings["trial_lu_per_db"] = response["slope"]
            loud_stage.reason += (f"; the excerpt's trial lost {response['loss_lu']:.2f} LU in the limiter "
                                  f"(one dB more gave {response['slope']:.2f} LU): the first render starts at "
                                  f"{first_gain:+.2f} dB")
        # light limiting lands on the predicted gain, and so does a first gain that makes up for the loss a trial
        # measured: the first render also writes the 24-bit master, measured
        speculate = response is not None or loud_stage.settings["predicted_limiting_db"] <= SPECULATE_BELOW_LIMITING_DB
        fit = chain.limit_to_target(lambda gain_db: parallel.ahead(pre_kept.blocks(gain_db)),
                                    lambda: scratch.enter_context(Scratch(out.parent, out.stem + "-lim", rate,
                                                                          channels)),
                                    loud_stage, rate, channels, aim, say,
                                    max_gain_db=loud_stage.settings.get("max_gain_db"),
                                    also=lambda i: delivery.Wav24Master(spec_path, rate, channels)
                                    if speculate and i == 0 else None, keep_lu=KEEP_RENDER_LU,
                                    first_gain_db=first_gain, slope=slope)
        loud_stage.settings["gain_db"] = round(fit["gain_db"], 3)
        loud_stage.settings["post_gain_db"] = round(fit["post_gain_db"], 3)
        loud_stage.settings["iterations"] = fit["tried"]
        if fit["kept"] is not None:
            loud_stage.reason += (f"; the first render measured {fit['tried'][-1]['integrated_lufs']:.2f} LUFS, within "
                                  f"{KEEP_RENDER_LU:g} LU: kept as it is, the 24-bit master written and checked in the "
                                  "same pass")
        elif fit["post_gain_db"]:
            loud_stage.reason += (f"; the limited render measured {fit['tried'][-1]['integrated_lufs']:.2f} LUFS, "
                                  f"landed on target by {fit['post_gain_db']:+.2f} dB after the limiter")
        stages.append(loud_stage)
        gr = fit["gain_reduction"]

        # 5. deliveries -------------------------------------------------------------------------------------
        deliveries = []
        for i, fmt in enumerate(dict.fromkeys(["wav24", *formats])):
            say(f"writing {fmt}", 0.9 + 0.08 * i / max(len(formats), 1))
            d = fit["kept"].record(goal.ceiling_dbtp) if fmt == "wav24" and fit["kept"] is not None else None
            if d is None and fmt == "wav24":       # written with its post-gain and measured as it is written
                d = _write_measured(fit["render"].blocks(fit["post_gain_db"]), spec_path, rate, channels,
                                    goal.ceiling_dbtp)
            if d is not None:                      # written and checked in one pass
                os.replace(spec_path, out)
                written.append(out)
                d["path"] = str(out)
                deliveries.append(d)
                continue
            # each file is checked on the independent 8x meter and made again lower if it is over
            d = delivery.deliver(fmt, fit["render"].blocks, delivery.output_path(out, fmt), rate, channels,
                                 goal.ceiling_dbtp, fit["post_gain_db"], dither)
            written.append(Path(d["path"]))
            if d["note"]:
                warnings.append(f"{d['format']}: {d['note']}")
            deliveries.append(d)

    final = deliveries[0].pop("analysis")            # the wav24 master, measured as it was checked
    for d in deliveries:
        delivery.finish(d, tags, analysis=final)   # the 24-bit master as a BWF; every file tagged
    limiting, limit_warnings = decisions.limiting_verdict(loud_stage, gr, pre, final, goal, sty)
    warnings += decisions.eq_warnings(eq_stage) + limit_warnings
    record = {
        "input": str(mix_path), "output": str(out), "reference": [str(r) for r in refs] if len(refs) > 1 else
        (str(refs[0]) if refs else None), "preset": str(wanted["preset"]) if wanted.get("preset") else None,
        "match": amount if ref is not None else None,
        "target": (tgt.as_dict() if goal is tgt
                   else {**goal.as_dict(), "name": f"reference loudness ({tgt.name} ceiling)"}),
        "style": sty.as_dict(), "tonal_target": tonal_goal,
        "analysis": {"input": mix, "after_chain": _brief(pre), "output": final, **({"reference": ref} if ref else {})},
        "stages": [s.as_dict() for s in stages],
        "gain_reduction": gr, "limiting": limiting, "deliveries": deliveries, "warnings": warnings,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if ref is not None:
        fc, of = mix["spectrum"]["centers_hz"], tonal_goal.get("of", "mid_db")
        n = min(len(fc), len(ref["spectrum"][of]))
        record["spectral_distance_db"] = {
            "to": "reference", "of": "mid",
            "before": spectral_distance_db(mix["spectrum"][of][:n], ref["spectrum"][of][:n], fc[:n]),
            "after": spectral_distance_db(final["spectrum"][of][:n], ref["spectrum"][of][:n], fc[:n]),
        }
    record["what_changed"] = _what_changed(record)
    json_path = out.with_name(out.name + ".json") if out.suffix == "" else out.with_suffix(".json")
    write_json(json_path, record)
    written.append(json_path)
    if report is not None:
        from studioflow.mastering.report import write_report

        write_report(record, report)
        written.append(Path(report))
    say("done", 1.0)
    return record


def _chain_pass(stages: list[decisions.Stage], mix_kept: Scratch, out: Path, scratch: contextlib.ExitStack,
                say: Callable[[str, float], None], spectrum: bool) -> tuple[dict, Scratch]:
    """Run the chain before the limiter over the kept mix; its output kept (for the limiter) and measured beside it
    (loudness and true peak; the spectrum when ``spectrum``); returns the measurement and the kept output."""
    rate, channels = mix_kept.rate, mix_kept.channels
    procs = chain.build(stages, rate)
    pre_meter = MixMeter(rate, channels, spectrum=spectrum, stats=False)
    pre_kept = scratch.enter_context(Scratch(out.parent, out.stem + "-pre", rate, channels))
    with parallel.Beside(pre_meter.add) as side:
        done = 0
        for b in chain.stream(chain.chain_of(procs, rate), parallel.ahead(mix_kept.blocks()), channels):
            pre_kept.put(b)                           # kept for the limiter, measured beside the chain
            side.put(b)
            done += b.shape[1]
            say("tonal balance, dynamics, stereo", 0.2 + 0.25 * done / max(mix_kept.frames, 1))
    pre_kept.done()
    return pre_meter.result(), pre_kept


def _write_measured(blocks: Iterable[np.ndarray], path: Path, rate: int, channels: int,
                    ceiling_dbtp: float) -> dict | None:
    """The 24-bit master written to ``path`` and measured as written (``delivery.Wav24Master``): its delivery
    record, or None when the 8x check finds it over ``ceiling_dbtp`` (``delivery.deliver`` then makes it lower)."""
    sink = delivery.Wav24Master(path, rate, channels)
    with sink:
        for b in blocks:
            sink.put(b)
    return sink.record(ceiling_dbtp)


def _excerpt(blocks: Iterable[np.ndarray], frames: int, rate: int) -> Iterator[np.ndarray]:
    """Runs of ``EXCERPT_RUN`` consecutive blocks spread evenly over the song: half of it, at most
    ``EXCERPT_MAX_S`` seconds in all; the whole of a song shorter than ``EXCERPT_MIN_BLOCKS`` blocks."""
    total = -(-frames // BLOCK)
    if total < EXCERPT_MIN_BLOCKS:
        yield from blocks
        return
    runs = max(1, min(total // (2 * EXCERPT_RUN), int(EXCERPT_MAX_S * rate) // (EXCERPT_RUN * BLOCK)))
    every = total // runs
    for i, b in enumerate(blocks):
        if i % every < EXCERPT_RUN:
            yield b


def _through_limiter(stages: list[decisions.Stage], blocks: Iterable[np.ndarray], rate: int, channels: int,
                     goal: Target, max_limiting_db: float | None) -> dict | None:
    """The spectrum of ``blocks`` through the chain and then the gain and limiter the loudness stage would set
    (measured, not kept; None when the chain's output is silent), with what the limiter took (``"limiter"``:
    ``_limiter_response``)."""
    level = MixMeter(rate, channels, spectrum=False, stats=False)
    out = []
    with parallel.Beside(level.add) as side:          # measured beside the chain, as the full pass is
        for b in chain.stream(chain.chain_of(chain.build(stages, rate), rate), blocks, channels):
            out.append(b)
            side.put(b)
    pre = level.result()
    if pre["integrated_lufs"] is None:
        return None
    stage = decisions.loudness(pre["integrated_lufs"], pre["true_peak_dbtp"], goal, max_limiting_db)
    meter = MixMeter(rate, channels, true_peak=False, stats=False, beside=True)
    gain_db = stage.settings["gain_db"]
    with parallel.Beside(meter.add) as side:
        for b in chain.stream(chain.limiter_for(stage, rate), _gained(out, gain_db), channels):
            side.put(b)
    measured = meter.result()
    return {**measured, "limiter": _limiter_response(out, stage, pre["integrated_lufs"], measured["integrated_lufs"],
                                                     rate, channels)}


def _gained(blocks: list[np.ndarray], gain_db: float) -> Iterator[np.ndarray]:
    """New blocks: ``blocks`` times ``gain_db``."""
    gain = np.float32(10 ** (gain_db / 20))
    return (b * gain for b in blocks)


def _limiter_response(out: list[np.ndarray], stage: decisions.Stage, pre_lufs: float, lufs: float | None, rate: int,
                      channels: int) -> dict | None:
    """What the limiter did to the trial's chain output ``out`` (``pre_lufs`` LUFS) at the loudness stage's gain
    (rendered at ``lufs`` LUFS): ``loss_lu``, the loudness it took, and ``slope``, the LU of output one more dB of
    gain brings there (a second render, loudness only, one loss further up); None when the render is silent. The
    full render starts from the gain that makes up for the loss at that slope, and steps by it
    (``chain.limit_to_target``)."""
    if lufs is None:
        return None
    gain_db = stage.settings["gain_db"]
    loss = pre_lufs + gain_db - lufs
    if loss < TRIAL_LOSS_MIN_LU:                  # the limiter barely touched it: one more dB is one more LU
        return {"loss_lu": round(max(loss, 0.0), 3), "slope": 1.0}
    step = max(loss, TRIAL_STEP_MIN_DB)
    level = Loudness(rate, channels)
    with parallel.Beside(level.add) as side:
        for b in chain.stream(chain.limiter_for(stage, rate), _gained(out, gain_db + step), channels):
            side.put(b)
    higher = level.result()["integrated_lufs"]
    slope = 1.0 if higher is None else float(np.clip((higher - lufs) / step, chain.MIN_SLOPE, 1.0))
    return {"loss_lu": round(loss, 3), "slope": round(slope, 3)}


def _what_changed(record: dict) -> dict:
    """Per octave band (31.5 Hz .. 16 kHz, dB): the tonal EQ's own response, what the whole master changed against
    the mix, and how far the master still is from the tonal target (balance, each relative to its mean)."""
    of = (record.get("tonal_target") or {}).get("of", "level_db")
    a = record["analysis"]
    fc = a["input"]["spectrum"]["centers_hz"]
    octaves, before = octave_db(fc, a["input"]["spectrum"][of])
    _, after = octave_db(fc, a["output"]["spectrum"][of])
    eq = next((s for s in record["stages"] if s["name"] == "tonal balance"), None)
    out = {"octaves_hz": octaves.tolist(), "master_db": np.round(after - before, 2).tolist()}
    if eq is not None and eq["enabled"] and eq["settings"].get("predicted_response_db"):
        resp = np.asarray(eq["settings"]["predicted_response_db"])
        _, eq_db = octave_db(fc, np.asarray(a["input"]["spectrum"][of]) + resp)
        out["eq_db"] = np.round(eq_db - before, 2).tolist()
    target = record.get("tonal_target")
    if target is not None and target.get("kind") == "reference":
        _, aimed = octave_db(fc, target["level_db"])
        miss = after - aimed
        out["from_target_db"] = np.round(miss - np.nanmean(miss), 2).tolist()
    return out


def _brief(a: dict) -> dict:
    return {k: a[k] for k in ("integrated_lufs", "lra_lu", "true_peak_dbtp", "sample_peak_dbfs", "plr_db",
                              "band_dynamics")}
