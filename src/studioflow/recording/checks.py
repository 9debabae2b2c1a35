"""Input checks of takes: levels with gain-staging advice, clipping, DC, noise, hum, dropouts, and between mics
recorded together their polarity and time offset (with the correction to apply).

``check_takes(paths_or_dir)`` returns a report dict: ``takes`` (one entry per file with its measurements and
problems), ``groups`` (mics recorded together, each member measured against the group's first file) and
``problems`` (all of them, each with ``file``, ``kind``, ``severity``, ``message`` and ``time_s`` in the take).
Files recorded together are: the same take number across tracks of a song (``takes/<track>/take-NNN.wav``),
files named as pairs (``kick_in``/``kick_out``, ``oh_l``/``oh_r``, ``snare_top``/``snare_bottom``, ``gtr_1``/``gtr_2``),
or groups given explicitly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from studioflow.analysis import alignment, problems
from studioflow.audio.files import info, read
from studioflow.errors import AudioFileError

#: peak range (dBFS) that leaves headroom yet stays well above the converter's noise, per bit depth
PEAK_RANGE_DBFS = {16: (-12.0, -3.0), 24: (-18.0, -6.0), 32: (-18.0, -6.0)}
_PAIR_SUFFIX = re.compile(r"^(?P<base>.+?)[ _.-](?P<tag>in|out|top|bottom|bot|l|r|left|right|a|b|front|back|"
                          r"close|room|near|far|\d)$", re.IGNORECASE)
_TAKE_FILE = re.compile(r"^take-(\d+)\.wav$")
_BITS = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32, "DOUBLE": 32, "PCM_U8": 8, "PCM_S8": 8}
MIN_CORRELATION = 0.3     # below this two files are not two mics on one source
STREAM_ABOVE_S = 120.0    # takes longer than this are checked piece by piece (recording/checkstream.py)
GROUP_S = 120.0           # mics recorded together are compared on their first two minutes


def _problem(kind: str, severity: str, message: str, time_s: float | None = None, end_s: float | None = None,
             **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, "message": message, "time_s": time_s, "end_s": end_s, **extra}


def advice(peak_dbfs: float, bits: int) -> tuple[str, str | None]:
    """Gain-staging advice for a take's peak level: (text, severity or None when fine)."""
    lo, hi = PEAK_RANGE_DBFS.get(bits, PEAK_RANGE_DBFS[24])
    target = (lo + hi) / 2
    if peak_dbfs <= -190:
        return "no signal: check the input, cable, phantom power and channel", "error"
    if peak_dbfs > -1.0:
        return f"too hot: peaks at {peak_dbfs:.1f} dBFS; lower the input gain by {peak_dbfs - target:.0f} dB", "error"
    if peak_dbfs > hi:
        return (f"hot: peaks at {peak_dbfs:.1f} dBFS leave little headroom; lower the gain by "
                f"{peak_dbfs - target:.0f} dB (aim {lo:.0f}..{hi:.0f} dBFS)"), "warning"
    if peak_dbfs < lo - 12:
        return (f"low: peaks at {peak_dbfs:.1f} dBFS; raise the gain by {target - peak_dbfs:.0f} dB "
                f"(aim {lo:.0f}..{hi:.0f} dBFS at {bits}-bit)"), "warning"
    if peak_dbfs < lo:
        return f"a little low: peaks at {peak_dbfs:.1f} dBFS (aim {lo:.0f}..{hi:.0f} dBFS); fine at {bits}-bit", None
    return f"good: peaks at {peak_dbfs:.1f} dBFS (aim {lo:.0f}..{hi:.0f} dBFS)", None


def click_exclusions(audio: np.ndarray, rate: int, clips: list[dict], guard_ms: float = 5.0) -> np.ndarray:
    """Samples where a click would only restate another problem: near digital silence of 1 ms or more (edits,
    gates, dropouts) and near clipped runs."""
    zero = np.all(audio == 0, axis=0)
    starts, ends = problems.runs(zero)
    mask = np.zeros(audio.shape[1], dtype=bool)
    for s, e in zip(starts, ends):
        if e - s >= rate // 1000:
            mask[s:e] = True
    for c in clips:
        mask[int(round(c["time_s"] * rate)):int(round(c["end_s"] * rate))] = True
    return problems.widen(mask, int(rate * guard_ms / 1000))


def measure_audio(audio: np.ndarray, rate: int) -> dict[str, Any]:
    """What ``check_audio`` judges, measured on one take in memory (float32 (channels, frames)): peak and RMS
    (dBFS), DC per channel, clipped runs, ``silences``, ``noise``, ``hum`` and clicks (times in s)."""
    clips = problems.clipped_runs(audio, rate)
    sil = problems.silences(audio, rate)
    return {"channels": int(audio.shape[0]), "frames": int(audio.shape[1]),
            "peak_dbfs": max(problems.peak_dbfs(audio)), "rms_dbfs": max(problems.rms_dbfs(audio)),
            "dc_offset": problems.dc_offset(audio), "clipped_runs": clips, "silences": sil,
            "noise": problems.noise_floor(audio, rate), "hum": problems.mains_hum(audio, rate),
            "clicks": [] if sil["all_silent"] else problems.clicks(audio, rate,
                                                                    exclude=click_exclusions(audio, rate, clips))}


def check_audio(audio: np.ndarray, rate: int, *, bits: int = 24) -> dict[str, Any]:
    """Measurements and problems of one take already in memory (float32 (channels, frames))."""
    return judge(measure_audio(audio, rate), rate, bits)


def judge(m: dict[str, Any], rate: int, bits: int) -> dict[str, Any]:
    """The report of one take (measurements, advice and problems) from ``measure_audio``'s measurements ``m``."""
    peak, rms, clips, sil, noise, hum = (m["peak_dbfs"], m["rms_dbfs"], m["clipped_runs"], m["silences"],
                                         m["noise"], m["hum"])
    text, severity = advice(peak, bits)
    found: list[dict[str, Any]] = []
    if severity:
        found.append(_problem("level", severity, text))
    passages = problems.clipped_passages(clips)
    for c in passages:
        chans = ", ".join(str(ch) for ch in c["channels"])
        found.append(_problem("clipping", "error", f"clipped for {(c['end_s'] - c['time_s']) * 1000:.0f} ms "
                              f"({c['runs']} clipped run{'s' if c['runs'] > 1 else ''}, {c['samples']} samples at full "
                              f"scale) on channel {chans}", c["time_s"], c["end_s"], channel=c["channels"][0],
                              runs=c["runs"], samples=c["samples"]))
    dc = m["dc_offset"]
    for ch, v in enumerate(dc, 1):
        if abs(v) >= 0.005:
            found.append(_problem("dc_offset", "warning", f"DC offset {v * 100:+.2f} % of full scale on channel {ch}: "
                                  f"use a high-pass filter (20-30 Hz)", 0.0, channel=ch))
    if noise["noise_floor_dbfs"] is not None and noise["noise_floor_dbfs"] > -60.0:
        found.append(_problem("noise", "warning", f"noise floor {noise['noise_floor_dbfs']:.0f} dBFS (signal-to-noise "
                              f"{noise['snr_db']:.0f} dB): check gain structure, cables and noisy gear"))
    if hum:
        found.append(_problem("hum", "warning", f"mains hum at {hum['mains_hz']} Hz (harmonics "
                              f"{', '.join(str(f) for f in hum['harmonics_dbfs'])} Hz, up to {hum['level_dbfs']:.0f} "
                              f"dBFS) from {hum['time_s']:.0f} to {hum['end_s']:.0f} s: check grounding and cable runs",
                              hum["time_s"], hum["end_s"]))
    for d in sil["dropouts"]:
        found.append(_problem("dropout", "error", f"dropout: the signal ({d['level_before_dbfs']:.0f} dBFS) cut to "
                              f"digital silence for {d['duration_ms']:.1f} ms", d["time_s"], d["end_s"]))
    clicks = m["clicks"]
    for c in clicks:
        found.append(_problem("click", "warning", f"click: a sample-level jump of {c['level_dbfs']:.0f} dBFS in smooth "
                              f"material (a dropped sample, a clock glitch, or a cut without a fade)", c["time_s"],
                              level_dbfs=c["level_dbfs"]))
    if not sil["all_silent"]:
        for s in sil["silence"]:
            found.append(_problem("digital_silence", "info", f"{s['duration_ms'] / 1000:.1f} s of digital silence",
                                  s["time_s"], s["end_s"]))
    return {"rate": rate, "channels": m["channels"], "duration_s": round(m["frames"] / rate, 3),
            "bits": bits, "peak_dbfs": round(peak, 2), "rms_dbfs": round(rms, 2), "advice": text,
            "dc_offset": [round(v, 6) for v in dc], **noise, "hum": hum, "clipped_runs": clips,
            "clipped_passages": passages, "dropouts": sil["dropouts"], "clicks": clicks, "silence": sil["silence"],
            "problems": found}


#: how a group of several problems of one kind is named in a report line
_PLURAL = {"clipping": "clipped passages", "dropout": "dropouts", "click": "clicks",
           "digital_silence": "stretches of digital silence", "dc_offset": "DC offsets",
           "polarity": "polarity problems", "offset": "time offsets"}


def _seconds(t: float) -> str:
    return f"{t:.2f}"


def _duration(seconds: float) -> str:
    """A duration for people: milliseconds under a second, else seconds with one decimal."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def group_problems(found: list[dict[str, Any]], *, show: int = 3) -> list[dict[str, Any]]:
    """Problems of one kind and severity in one file folded into one line: ``file``, ``kind``, ``severity``, ``count``,
    ``time_s`` (the first), ``times`` (all) and ``message`` (the problem's own for one; a count, the first ``show``
    times and the range of durations or levels for several). Order of first appearance."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for p in found:
        groups.setdefault((p.get("file"), p["kind"], p["severity"]), []).append(p)
    out = []
    for (file, kind, severity), items in groups.items():
        times = [p["time_s"] for p in items if p.get("time_s") is not None]
        if len(items) == 1:
            message = items[0]["message"]
        else:
            shown = ", ".join(_seconds(t) for t in times[:show]) + (", ..." if len(times) > show else "")
            message = f"{len(items)} {_PLURAL.get(kind, kind + ' problems')}" + (f" at {shown} s" if times else "")
            spans = [p["end_s"] - p["time_s"] for p in items
                     if p.get("end_s") is not None and p.get("time_s") is not None]
            levels = [p["level_dbfs"] for p in items if p.get("level_dbfs") is not None]
            if len(spans) == len(items):
                lo, hi = _duration(min(spans)), _duration(max(spans))
                message += f" ({lo} each)" if lo == hi else f" ({lo} to {hi})"
            elif len(levels) == len(items):
                message += f" (up to {max(levels):.0f} dBFS)"
            if kind != "digital_silence":
                message += f"; the first: {items[0]['message']}"
        out.append({"file": file, "kind": kind, "severity": severity, "count": len(items),
                    "time_s": times[0] if times else None, "times": times, "message": message})
    return out


def check_file(path: Path) -> dict[str, Any]:
    """``check_audio`` of a file, read whole when short and in pieces when long (memory stays flat)."""
    meta = info(path)
    bits = _BITS.get(meta.subtype, 24)
    if meta.frames <= STREAM_ABOVE_S * meta.sample_rate:
        audio, rate = read(path)
        return check_audio(audio, rate, bits=bits)
    from studioflow.recording.checkstream import measure_long

    return judge(measure_long(path, meta), meta.sample_rate, bits)


def check_take_file(path: str | Path) -> dict[str, Any]:
    """A short summary of one take for ``takes.yaml``: peak, RMS, advice and the problems' messages."""
    r = check_file(Path(path))
    return {"peak_dbfs": r["peak_dbfs"], "rms_dbfs": r["rms_dbfs"], "advice": r["advice"],
            "problems": [g["message"] + (f" at {g['time_s']:.2f} s" if g["count"] == 1 and g["time_s"] else "")
                         for g in group_problems(r["problems"])]}


def find_files(paths_or_dir: str | Path | Iterable[str | Path]) -> list[Path]:
    """The WAV/FLAC files to check: a song folder's takes (``takes/*/take-NNN.wav``), a folder's audio files, or
    the given paths."""
    if isinstance(paths_or_dir, (str, Path)):
        p = Path(paths_or_dir)
        if p.is_dir():
            takes = sorted(f for f in (p / "takes").glob("*/take-*.wav") if _TAKE_FILE.match(f.name))
            if takes:
                return takes
            files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".wav", ".flac", ".aif", ".aiff"))
            if not files:
                raise AudioFileError(f"{p}: no takes (takes/<track>/take-NNN.wav) and no audio files to check")
            return files
        return [p]
    return [Path(f) for f in paths_or_dir]


def label(path: Path) -> str:
    """A file's name in reports: ``track/take-NNN`` for takes, else the file stem."""
    if _TAKE_FILE.match(path.name):
        return f"{path.parent.name}/{path.stem}"
    return path.stem


def find_groups(files: list[Path]) -> list[list[Path]]:
    """Files recorded together: same take number across track folders, or names that form pairs/sets."""
    groups: dict[tuple, list[Path]] = defaultdict(list)
    for f in files:
        m = _TAKE_FILE.match(f.name)
        if m:
            groups[("take", int(m[1]))].append(f)
            continue
        m = _PAIR_SUFFIX.match(f.stem)
        if m:
            groups[("name", m["base"].lower())].append(f)
    return [sorted(g, key=lambda p: label(p)) for g in groups.values() if len(g) > 1]


def check_group(members: list[Path], loaded: dict[Path, tuple[np.ndarray, int]]) -> dict[str, Any]:
    """Polarity and time offset of each member against the first (the reference), with the correction."""
    ref = members[0]
    ra, rr = loaded[ref]
    members_out: list[dict[str, Any]] = []
    problems_out: list[dict[str, Any]] = []
    out = {"reference": label(ref), "members": members_out, "problems": problems_out}
    for m in members[1:]:
        a, r = loaded[m]
        if r != rr:
            continue
        al = alignment.measure(ra, a, rr)
        item = {"file": label(m), **al.as_dict(), "related": abs(al.correlation) >= MIN_CORRELATION}
        members_out.append(item)
        if not item["related"]:
            continue
        corr = al.correction()
        if al.polarity_inverted:
            problems_out.append(_problem(
                "polarity", "error", f"{label(m)} is out of polarity with {label(ref)} (correlation "
                f"{al.correlation:+.2f}): invert its polarity", 0.0, file=str(m), correction=corr))
        if abs(al.delay_ms) >= 0.1:
            problems_out.append(_problem(
                "offset", "warning" if abs(al.delay_ms) >= 1.0 else "info",
                f"{label(m)} arrives {abs(al.delay_ms):.2f} ms {'after' if al.delay_ms > 0 else 'before'} "
                f"{label(ref)}: shift it by {corr['delay_ms']:+.2f} ms", 0.0, file=str(m), correction=corr))
    return out


def check_takes(paths_or_dir: str | Path | Iterable[str | Path], *,
                groups: Sequence[Sequence[str | Path]] | None = None,
                progress: Callable[[str, float], None] | None = None,
                report_path: str | Path | None = None) -> dict[str, Any]:
    """Check takes (a song folder, a folder of stems, or a list of files); return the report dict (see module doc).

    ``groups`` lists files recorded together explicitly (used instead of the automatic grouping); ``progress`` is
    called with (what, fraction done 0..1) before each file. With ``report_path``, the report is also written there
    as JSON (atomically, its folder made if missing).
    """
    files = find_files(paths_or_dir)
    report: dict[str, Any] = {"takes": [], "groups": [], "problems": []}
    for i, f in enumerate(files):
        if progress is not None:
            progress(f"checking {label(f)}", i / (len(files) + 1))
        r = {"file": str(f), "name": label(f), **check_file(f)}
        for p in r["problems"]:
            p["file"] = str(f)
        report["takes"].append(r)
        report["problems"].extend(r["problems"])
    sets = [[Path(p) for p in g] for g in groups] if groups else find_groups(files)
    if progress is not None:
        progress("checking mics recorded together", len(files) / (len(files) + 1))
    for g in sets:
        loaded = {p: read(p, stop_s=min(GROUP_S, info(p).duration_s)) for p in g}
        res = check_group(g, loaded)
        report["groups"].append(res)
        report["problems"].extend(res["problems"])
    report["summary"] = {"files": len(files), "problems": len(report["problems"]),
                         "errors": sum(p["severity"] == "error" for p in report["problems"]),
                         "warnings": sum(p["severity"] == "warning" for p in report["problems"])}
    if report_path is not None:
        from studioflow.audio.atomic import write_json

        Path(report_path).parent.mkdir(parents=True, exist_ok=True)
        write_json(report_path, report)
    return report
