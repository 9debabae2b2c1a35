"""Arrangement advice: tempo, beat grid, sections and their loudness, and the producer's remarks on them.

One streaming pass over the song feeds the spectral frames (``analysis.tempo``) and the BS.1770 meter
(``analysis.loudness``); tempo, sections and per-section loudness come from those. Each remark follows from one
number, which it names together with the threshold it crossed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.analysis.loudness import LoudnessMeter, LoudnessResult
from studioflow.analysis.sections import Section, find_sections
from studioflow.analysis.tempo import SpectralFrames, tempo_from_frames
from studioflow.errors import AudioFileError, ParameterError

INTRO_MAX_S = 30.0            # streaming single: listeners skip within the first 30 s (a play counts after 30 s)
CONTRAST_MIN_LU = 2.0         # loudest minus quietest long section
LONG_SECTION_S = 8.0          # sections at least this long take part in the contrast check
UNCHANGED_MAX_S = 45.0        # one texture (a section, or same-label sections in a row) lasting longer than this
HOOK_LATEST_S = 60.0          # the first chorus / hook should arrive by then
BLOCK_FRAMES = 65536

#: typical song lengths (s) per genre: (shortest, longest, where the figures come from). Rough commercial norms,
#: not rules: radio edits and chart singles of the streaming era; album tracks and extended mixes run longer.
GENRE_LENGTHS_S: dict[str, tuple[float, float, str]] = {
    "pop": (150.0, 240.0, "Billboard Hot 100 averages fell from ~4:10 (1990s) to ~3:10-3:30 (2019-2023)"),
    "rock": (180.0, 300.0, "rock chart singles of the 2000s-2020s mostly run 3 to 5 minutes"),
    "hiphop": (130.0, 240.0, "rap singles are the shortest chart genre in streaming-era analyses (~2:30-3:30)"),
    "rnb": (150.0, 255.0, "R&B chart singles run close to pop, ~3:00-4:00"),
    "country": (165.0, 240.0, "country airplay singles typically ~3:00-3:45"),
    "edm": (150.0, 240.0, "radio edits ~2:45-3:45; club/extended mixes (5-7 min) are a different release"),
    "dance": (150.0, 240.0, "as edm: radio edits ~2:45-3:45"),
    "indie": (150.0, 270.0, "indie/alternative singles ~3:00-4:15"),
    "folk": (150.0, 270.0, "folk/acoustic singles ~3:00-4:15"),
    "metal": (180.0, 360.0, "metal album tracks commonly 4-6 minutes; singles edited shorter"),
    "jazz": (180.0, 480.0, "jazz recordings vary widely; 3-8 minutes covers most studio tracks"),
    "ballad": (180.0, 270.0, "pop ballads run a little longer than up-tempo pop, ~3:15-4:15"),
}


def _open_blocks(path_or_audio: str | os.PathLike[str] | np.ndarray, rate: int | None):
    """(blocks iterator, sample rate, channels, source name) for a file path or an array (channels, frames)."""
    if isinstance(path_or_audio, np.ndarray):
        if rate is None:
            raise ParameterError("analyze_arrangement: pass rate= (Hz) with an audio array")
        audio = np.atleast_2d(np.asarray(path_or_audio, dtype=np.float32))
        if audio.ndim != 2 or audio.shape[0] > 16:
            raise ParameterError(f"analyze_arrangement: audio must be (channels, frames), got shape {audio.shape}")
        if not np.all(np.isfinite(audio)):
            raise ParameterError("analyze_arrangement: audio holds NaN or Inf samples")
        return iter([audio]), int(rate), audio.shape[0], "<array>"
    from studioflow.audio.stream import BlockReader

    reader = BlockReader(path_or_audio, BLOCK_FRAMES)
    if rate is not None and int(rate) != reader.sample_rate:
        raise ParameterError(f"{reader.path}: rate={rate} given but the file is at {reader.sample_rate} Hz")
    return iter(reader), reader.sample_rate, reader.channels, str(reader.path)


def _measure(path_or_audio: str | os.PathLike[str] | np.ndarray, rate: int | None
             ) -> tuple[Any, LoudnessResult, int, str]:
    """One pass: spectral frames and the loudness meter."""
    blocks, sample_rate, channels, source = _open_blocks(path_or_audio, rate)
    frames = SpectralFrames(sample_rate)
    meter = LoudnessMeter(sample_rate, channels, true_peak=False)
    for block in blocks:
        frames.process(block)
        meter.process(block)
    return frames.result(), meter.result(), sample_rate, source


def _remark(code: str, message: str, value: float, threshold: float | list[float], unit: str) -> dict:
    return {"code": code, "message": message, "value": round(float(value), 2),
            "threshold": threshold if isinstance(threshold, list) else round(float(threshold), 2), "unit": unit}


def _lufs(section: Section) -> float:
    """The loudness (LUFS) of a section known to have one."""
    assert section.loudness_lufs is not None
    return section.loudness_lufs


def _chorus(sections: list[Section]) -> Section | None:
    """The first chorus: first section of the loudest label that repeats (or of the loudest label, if none does)."""
    rated = [s for s in sections if s.loudness_lufs is not None]
    if len(rated) < 2:
        return None
    by_label: dict[str, list[Section]] = {}
    for s in rated:
        by_label.setdefault(s.label, []).append(s)

    def level(label: str) -> float:
        return max(_lufs(s) for s in by_label[label])

    repeated = [label for label, group in by_label.items() if len(group) > 1 and group[0] is not rated[0]]
    pool = repeated or [label for label in by_label if by_label[label][0] is not rated[0]]
    if not pool:
        return None
    return by_label[max(pool, key=level)][0]


def clock(seconds: float) -> str:
    """Seconds as m:ss.s for people."""
    text = f"{int(seconds // 60)}:{seconds % 60:04.1f}"
    return text[:-2] if text.endswith(".0") else text


def remarks(sections: list[Section], duration_s: float, *, genre: str | None, single: bool,
            bpm: float | None) -> list[dict]:
    """The producer's remarks, each naming the number that triggered it and the threshold (module docstring)."""
    out: list[dict] = []
    if single and sections and len(sections) > 1 and sections[0].duration_s > INTRO_MAX_S:
        d = sections[0].duration_s
        out.append(_remark("long-intro", f"The intro lasts {d:.1f} s, longer than {INTRO_MAX_S:g} s for a streaming "
                           "single: listeners skip before the song starts; cut it or bring the hook forward.",
                           d, INTRO_MAX_S, "s"))
    long = [s for s in sections if s.duration_s >= LONG_SECTION_S and s.loudness_lufs is not None]
    body = long[1:-1] if len(long) >= 4 else long       # leave intro and outro out when there are enough sections
    if len(body) >= 2:
        quiet = min(body, key=_lufs)
        loud = max(body, key=_lufs)
        contrast = _lufs(loud) - _lufs(quiet)
        if contrast < CONTRAST_MIN_LU:
            out.append(_remark("no-contrast", f"Only {contrast:.1f} LU between the quietest long section "
                               f"({clock(quiet.start_s)}, {quiet.loudness_lufs:.1f} LUFS) and the loudest "
                               f"({clock(loud.start_s)}, {loud.loudness_lufs:.1f} LUFS), under "
                               f"{CONTRAST_MIN_LU:g} LU: the chorus does not lift; thin the verse or add to the "
                               "chorus.", contrast, CONTRAST_MIN_LU, "LU"))
    if genre is not None:
        low, high, _ = GENRE_LENGTHS_S[genre]
        if not low <= duration_s <= high:
            side = "short" if duration_s < low else "long"
            out.append(_remark("length", f"The song lasts {clock(duration_s)}, {side} for {genre} "
                               f"(typical {clock(low)} to {clock(high)}).", duration_s, [low, high], "s"))
    stretch = _longest_unchanged(sections)
    if stretch is not None:
        start, end = stretch
        length = end - start
        bars = f" ({length * bpm / 240.0:.0f} bars of 4/4)" if bpm else ""
        out.append(_remark("unchanged", f"{length:.1f} s{bars} from {clock(start)} go on without a change of "
                           f"section, longer than {UNCHANGED_MAX_S:g} s: add or drop a part, or vary the "
                           "pattern.", length, UNCHANGED_MAX_S, "s"))
    chorus = _chorus(sections)
    if chorus is not None and chorus.start_s > HOOK_LATEST_S:
        out.append(_remark("late-hook", f"The first chorus (the loudest repeated section) starts at "
                           f"{clock(chorus.start_s)} ({chorus.start_s:.1f} s), after {HOOK_LATEST_S:g} s: "
                           "bring the hook in earlier.", chorus.start_s, HOOK_LATEST_S, "s"))
    return out


def _longest_unchanged(sections: list[Section]) -> tuple[float, float] | None:
    """(start, end) of the longest run of same-label sections lasting over UNCHANGED_MAX_S, if any."""
    best = None
    i = 0
    while i < len(sections):
        j = i
        while j + 1 < len(sections) and sections[j + 1].label == sections[i].label:
            j += 1
        start, end = sections[i].start_s, sections[j].end_s
        if end - start > UNCHANGED_MAX_S and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
        i = j + 1
    return best


def check_genre(genre: str | None) -> str | None:
    """Normalise a genre name (case, hyphens) or raise naming the known ones."""
    if genre is None:
        return None
    key = genre.strip().lower().replace("-", "").replace(" ", "").replace("&", "n")
    key = {"hiphop": "hiphop", "rap": "hiphop", "randb": "rnb", "electronic": "edm"}.get(key, key)
    if key not in GENRE_LENGTHS_S:
        raise ParameterError(f"arrangement: unknown genre {genre!r} (known: {', '.join(GENRE_LENGTHS_S)})")
    return key


def analyze_arrangement(path_or_audio: str | os.PathLike[str] | np.ndarray, rate: int | None = None, *,
                        genre: str | None = None, single: bool = True) -> dict:
    """Tempo (BPM), beat grid (s), sections with loudness (LUFS), the short-term loudness curve and remarks.

    ``path_or_audio`` is an audio file (streamed) or an array (channels, frames) at ``rate`` Hz.

    >>> result = analyze_arrangement("mix.wav", genre="pop")      # doctest: +SKIP
    >>> result["tempo"]["bpm"], [s["label"] for s in result["sections"]]   # doctest: +SKIP
    """
    genre = check_genre(genre)
    frames, loud, sample_rate, source = _measure(path_or_audio, rate)
    if loud.duration_s <= 0:
        raise AudioFileError(f"{source}: no audio to analyse")
    tempo = tempo_from_frames(frames)
    sections = find_sections(frames, loud, bpm=tempo.bpm, beats_s=tempo.beats_s)
    short_term = np.where(np.isfinite(loud.short_term_lufs), loud.short_term_lufs, np.nan)
    return {
        "source": source,
        "sample_rate": sample_rate,
        "duration_s": round(loud.duration_s, 3),
        "genre": genre,
        "single": bool(single),
        "tempo": {"bpm": tempo.bpm, "confidence": round(tempo.confidence, 3),
                  "beats": int(tempo.beats_s.size), "beats_s": [round(float(b), 3) for b in tempo.beats_s],
                  "rivals_bpm": [round(b, 2) for b, _ in tempo.candidates[1:]]},
        "integrated_lufs": None if loud.integrated_lufs is None else round(loud.integrated_lufs, 2),
        "sections": [s.as_dict() for s in sections],
        "loudness_curve": {"series": "short-term (3 s) BS.1770", "rate_hz": loud.series_rate_hz,
                           "lufs": [None if not np.isfinite(v) else round(float(v), 2) for v in short_term]},
        "remarks": remarks(sections, loud.duration_s, genre=genre, single=single, bpm=tempo.bpm),
    }


def plot_arrangement(result: dict, path: str | os.PathLike[str]) -> Path:
    """Draw the short-term loudness curve with the sections and their loudness to a PNG at ``path``, with
    ``result``'s numbers beside it as JSON (same name, ``.json``); both atomic. Returns the PNG's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from studioflow.audio.atomic import atomic_write, write_json

    curve = result["loudness_curve"]
    lufs = np.array([np.nan if v is None else v for v in curve["lufs"]], dtype=float)
    times = (np.arange(lufs.size) + 1) / curve["rate_hz"] - 1.5    # plotted at the centre of each 3 s window
    fig, ax = plt.subplots(figsize=(10, 3.5))
    ax.plot(times, lufs, color="0.3", lw=1, label="short-term loudness (3 s)")
    colours = plt.get_cmap("tab10")
    for s in result["sections"]:
        colour = colours((ord(s["label"][0]) - ord("A")) % 10)
        ax.axvspan(s["start_s"], s["end_s"], color=colour, alpha=0.15)
        if s["loudness_lufs"] is not None:
            ax.hlines(s["loudness_lufs"], s["start_s"], s["end_s"], color=colour, lw=2.5)
        ax.annotate(s["label"], (s["start_s"] + 0.3, 1.0), xycoords=("data", "axes fraction"), va="top",
                    fontsize=9, weight="bold")
    bpm = result["tempo"]["bpm"]
    ax.set_title(f"{Path(result['source']).name}: {bpm if bpm else '?'} BPM, {len(result['sections'])} sections")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("LUFS")
    finite = lufs[np.isfinite(lufs)]
    if finite.size:
        ax.set_ylim(max(finite.min() - 3, finite.max() - 40), finite.max() + 4)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    target = Path(path)
    with atomic_write(target) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    write_json(target.with_suffix(".json"), result)
    return target
