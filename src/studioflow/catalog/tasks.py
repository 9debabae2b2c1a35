"""The work of one song, as a Dask worker runs it: ``run_song(spec)`` measures, normalizes, masters or checks the
translation of one file with the single-file code, writes its outputs atomically into the job folder and returns its
manifest row values. A bad file fails its own row with a one-line error; it never raises into the job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from studioflow.errors import StudioflowError
from studioflow.mastering.manifest import sha256_file
from studioflow.mastering.targets import Target

LEVEL_KEYS = ("integrated_lufs", "lra_lu", "true_peak_dbtp", "sample_peak_dbfs", "plr_db", "duration_s")


def _levels(measured: dict) -> dict:
    return {k: measured.get(k) for k in LEVEL_KEYS}


def analyze(spec: dict, target: Target, out: Path) -> dict:
    """Measure only: levels, and warnings against the target (true peak over the ceiling, loudness far off)."""
    from studioflow.catalog.normalize import measure_song

    before = measure_song(spec["path"])
    warnings = []
    if before["integrated_lufs"] is None:
        warnings.append("silent (below the loudness gate)")
    else:
        off = before["integrated_lufs"] - target.lufs
        if abs(off) > 0.5:
            warnings.append(f"{off:+.1f} LU from the {target.lufs:g} LUFS target")
    if before["true_peak_dbtp"] is not None and before["true_peak_dbtp"] > target.ceiling_dbtp:
        warnings.append(f"true peak {before['true_peak_dbtp']:.2f} dBTP over the {target.ceiling_dbtp:g} dBTP ceiling")
    if before["clipped_samples"]:
        warnings.append(f"{before['clipped_samples']} clipped samples")
    return {"before": before, "warnings": warnings, "outputs": []}


def normalize(spec: dict, target: Target, out: Path) -> dict:
    """Loudness and true-peak-safe gain, the limiter only where needed (``catalog.normalize``)."""
    from studioflow.catalog.normalize import normalize_song

    done = normalize_song(spec["path"], out / f"{spec['name']}.wav", target)
    return {**done, "outputs": [out / f"{spec['name']}.wav"]}


def master(spec: dict, target: Target, out: Path) -> dict:
    """``mastering.api.master`` with the job's options; the song's title and ISRC become tags."""
    from studioflow.mastering.api import master as run_master

    opts = spec["options"]
    tags = {k: spec[k] for k in ("title", "isrc") if spec.get(k)}
    record = run_master(spec["path"], out / f"{spec['name']}.wav", target=target, style=opts.get("style"),
                        max_limiting_db=opts.get("max_limiting_db"), formats=("wav24", *opts.get("formats", ())),
                        tags=tags or None)
    final = record["analysis"]["output"]
    gain: dict[str, Any] = next((s["settings"] for s in record["stages"] if s["name"] == "loudness"), {})
    reduction = record["gain_reduction"].get("max_db") or 0.0
    return {"before": _levels(record["analysis"]["input"]), "after": _levels(final),
            "gain_db": gain.get("gain_db"), "limited": reduction > 0.01, "limiter_max_db": reduction,
            "warnings": record["warnings"],
            "outputs": [Path(d["path"]) for d in record["deliveries"]] + [out / f"{spec['name']}.json"]}


def translation(spec: dict, target: Target, out: Path) -> dict:
    """``mastering.translation_check`` of the song, its record written as ``NAME.translation.json``."""
    from studioflow.audio.atomic import write_json
    from studioflow.mastering.translation_check import check_translation

    opts = spec["options"]
    result = check_translation(spec["path"], systems=opts.get("systems") or None, codec=opts.get("codec", "mp3"),
                               kbps=opts.get("kbps", 128))
    path = write_json(out / f"{spec['name']}.translation.json", result)
    found = [f"{c['label']}: {w}" for c in result["checks"] for w in c["findings"]]
    return {"before": {"integrated_lufs": result["integrated_lufs"], "true_peak_dbtp": result["true_peak_dbtp"]},
            "warnings": found, "outputs": [path]}


WORK: dict[str, Callable[[dict, Target, Path], dict]] = {
    "analyze": analyze, "normalize": normalize, "master": master, "translation": translation}


def run_song(spec: dict) -> dict:
    """Do ``spec["command"]`` for one song (``path``, ``name``, ``out_dir``, ``target``, ``options``, ``title``,
    ``isrc``); return the row values: status "done" with levels and outputs (paths relative to the job folder, with
    their SHA-256), or "failed" with the one-line error."""
    started = time.perf_counter()
    out = Path(spec["out_dir"])
    try:
        done = WORK[spec["command"]](spec, Target(**spec["target"]), out)
        done["outputs"] = [{"path": Path(p).name, "sha256": sha256_file(Path(p))} for p in done["outputs"]]
        row = {"status": "done", "error": None, **done}
    except StudioflowError as e:
        row = {"status": "failed", "error": " ".join(str(e).split())}
    except OSError as e:
        row = {"status": "failed", "error": f"{e.filename or spec['path']}: {(e.strerror or str(e)).lower()}"}
    except MemoryError:
        row = {"status": "failed", "error": f"{spec['path']}: more than this worker's memory"}
    row["worker"] = _worker_name()
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def _worker_name() -> str | None:
    """The address of the Dask worker running this (None outside one)."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None
