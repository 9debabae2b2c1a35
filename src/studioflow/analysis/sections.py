"""Section boundaries by novelty on a self-similarity matrix, section labels, and loudness per section.

- Features every 0.5 s (:func:`section_features`): MFCC-like timbre (DCT of the mean log mel-band levels, c1..c12),
  the level c0, pitch-class profile (chroma), and onset density (mean spectral flux), each group standardised.
- Self-similarity: a Gaussian kernel on the Euclidean distances between feature vectors (scale: the median distance).
- Novelty: J. Foote, "Automatic audio segmentation using a measure of audio novelty", ICME 2000: a checkerboard
  kernel with a Gaussian taper slid along the diagonal; boundaries are its peaks, at least ``min_section_s`` apart,
  snapped to the nearest beat when a beat grid is given.
- Labels: sections whose mutual similarity is close to their self-similarity share a letter.
- Loudness per section: BS.1770-4 energy mean of the momentary (400 ms) windows lying inside the section (LUFS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import dct
from scipy.signal import find_peaks

from studioflow.analysis.loudness import LoudnessResult, energy_to_lufs
from studioflow.analysis.tempo import Frames
from studioflow.errors import ParameterError

HOP_S = 0.5                  # section feature step
WINDOW_BEATS = 4             # each step averages one bar of 4/4 ...
KERNEL_BEATS = 16            # ... and the checkerboard kernel looks 4 bars each side of a boundary
DEFAULT_BPM = 120.0          # the musical scale used when the tempo is unknown
MIN_SECTION_S = 4.0
NOVELTY_THRESHOLD = 0.045    # minimum peak height of the novelty (a dimensionless mean-similarity difference)
SAME_LABEL_LIKENESS = 0.9    # sections at least this alike (0..1) share a label
N_MFCC = 13
WEIGHTS = {"timbre": 1.0, "level": 1.0, "chroma": 0.5, "rhythm": 2.0}   # feature groups in the distance


@dataclass
class Section:
    """One section: start/end in s, a label letter, its loudness (LUFS), its mean self-similarity (0..1, relative to
    the song's own spread) and the novelty peak that opened it."""

    start_s: float
    end_s: float
    label: str
    loudness_lufs: float | None = None
    sameness: float = 0.0
    novelty: float = 0.0        # novelty peak at its start (0 for the first section)

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.end_s - self.start_s

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
                "duration_s": round(self.duration_s, 3), "label": self.label,
                "loudness_lufs": None if self.loudness_lufs is None else round(self.loudness_lufs, 2),
                "sameness": round(self.sameness, 3), "novelty": round(self.novelty, 3)}


def _standardise(x: np.ndarray) -> np.ndarray:
    std = x.std(axis=0, keepdims=True)
    return (x - x.mean(axis=0, keepdims=True)) / np.where(std > 1e-9, std, 1.0)


def section_features(frames: Frames, hop_s: float = HOP_S, window_s: float = WINDOW_BEATS * 60.0 / DEFAULT_BPM
                     ) -> np.ndarray:
    """Feature vectors every ``hop_s`` seconds (n, dims), each the mean over ``window_s`` seconds centred on its
    step: standardised timbre, level, chroma and onset density in low/mid/high bands."""
    step = max(int(round(hop_s * frames.frame_rate_hz)), 1)
    n = frames.count // step
    if n == 0:
        return np.zeros((0, 0))
    width = max(int(round(window_s * frames.frame_rate_hz)), 1)
    centres = (np.arange(n) * step + step // 2).clip(0, frames.count - 1)

    def pooled(x: np.ndarray) -> np.ndarray:
        x = x.reshape(x.shape[0], -1).astype(np.float64)
        cum = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
        lo = np.clip(centres - width // 2, 0, x.shape[0])
        hi = np.clip(centres + width - width // 2, 1, x.shape[0])
        return (cum[hi] - cum[lo]) / (hi - lo)[:, None]

    levels = np.maximum(frames.bands_db, frames.bands_db.max(initial=-100.0) - 80.0)
    ceps = dct(pooled(levels), type=2, norm="ortho", axis=1)[:, :N_MFCC]
    chroma = pooled(frames.chroma)
    chroma = chroma / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-12)
    rise = np.zeros_like(levels, dtype=np.float64)
    rise[2:] = np.maximum(levels[2:] - levels[:-2], 0.0)
    thirds = np.array_split(np.arange(levels.shape[1]), 3)
    density = pooled(np.stack([rise[:, idx].sum(axis=1) for idx in thirds], axis=1))
    groups = [(_standardise(ceps[:, 1:]), WEIGHTS["timbre"]), (_standardise(ceps[:, :1]), WEIGHTS["level"]),
              (_standardise(chroma), WEIGHTS["chroma"]), (_standardise(density), WEIGHTS["rhythm"])]
    # each group weighs by its weight, whatever its number of dimensions
    return np.hstack([g * (w / np.sqrt(g.shape[1])) for g, w in groups])


def self_similarity(features: np.ndarray) -> np.ndarray:
    """Self-similarity matrix in 0..1: exp(-d^2 / median(d^2)) of Euclidean distances between feature vectors."""
    sq = (features ** 2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * features @ features.T, 0.0)
    scale = np.median(d2[np.triu_indices_from(d2, k=1)]) if d2.shape[0] > 1 else 1.0
    return np.exp(-d2 / max(scale, 1e-12))


def checkerboard_kernel(half: int) -> np.ndarray:
    """Foote's checkerboard kernel (2 half, 2 half) with a Gaussian taper, normalised to sum |K| = 1."""
    idx = np.arange(-half, half) + 0.5
    taper = np.exp(-0.5 * (idx / (0.5 * half)) ** 2)
    sign = np.sign(idx)
    kernel = np.outer(sign * taper, sign * taper)
    return kernel / np.abs(kernel).sum()


def novelty_curve(ssm: np.ndarray, half: int) -> np.ndarray:
    """Foote novelty per feature step: positive where the past and the future differ (step i = change before i).

    Near the edges the kernel is cut to the part inside the song and renormalised."""
    n = ssm.shape[0]
    kernel = checkerboard_kernel(half)
    out = np.zeros(n)
    for i in range(1, n):
        lo, hi = max(i - half, 0), min(i + half, n)
        k = kernel[lo - i + half: hi - i + half, lo - i + half: hi - i + half]
        pos, neg = k[k > 0].sum(), -k[k < 0].sum()
        if pos == 0 or neg == 0:
            continue
        block = ssm[lo:hi, lo:hi]
        out[i] = (block * np.where(k > 0, k / pos, k / neg)).sum() / 2.0
    return out


def _beat_s(bpm: float | None) -> float:
    """Length of a beat in seconds, DEFAULT_BPM when unknown; kept within 60..200 BPM."""
    return 60.0 / float(np.clip(bpm if bpm else DEFAULT_BPM, 60.0, 200.0))


def find_boundaries(frames: Frames, *, bpm: float | None = None, beats_s: np.ndarray | None = None,
                    min_section_s: float = MIN_SECTION_S) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Section boundaries (s, excluding 0 and the end), their novelty, and the self-similarity matrix (0.5 s steps).

    Windows and kernel are measured in beats of ``bpm`` (a bar, and 4 bars each side); boundaries snap to the nearest
    of ``beats_s`` within one step."""
    if min_section_s <= 0:
        raise ParameterError(f"sections: min_section_s must be > 0 s, got {min_section_s}")
    beat = _beat_s(bpm)
    feats = section_features(frames, window_s=WINDOW_BEATS * beat)
    if feats.shape[0] < 4:
        return np.zeros(0), np.zeros(0), np.ones((feats.shape[0],) * 2)
    ssm = self_similarity(feats)
    half = max(int(round(KERNEL_BEATS * beat / HOP_S)), 2)
    nov = novelty_curve(ssm, half)
    peaks, _ = find_peaks(nov, height=NOVELTY_THRESHOLD, distance=max(int(round(min_section_s / HOP_S)), 1))
    times = peaks * HOP_S
    keep = (times >= min_section_s) & (times <= frames.duration_s - min_section_s)
    times, heights = times[keep], nov[peaks[keep]]
    times = refine_boundaries(frames, times, WINDOW_BEATS * beat)
    if beats_s is not None and len(beats_s) > 1 and times.size:
        beats = np.asarray(beats_s)
        nearest = beats[np.abs(beats[None, :] - times[:, None]).argmin(axis=1)]
        times = np.where(np.abs(nearest - times) <= HOP_S, nearest, times)
    # refining may bring two boundaries too close (or a boundary too close to an end): keep the stronger
    kept: list[int] = []
    for i in np.argsort(heights)[::-1]:
        if min_section_s <= times[i] <= frames.duration_s - min_section_s and \
                all(abs(times[i] - times[j]) >= min_section_s for j in kept):
            kept.append(int(i))
    kept.sort()
    return times[kept], heights[kept], ssm


def refine_boundaries(frames: Frames, times_s: np.ndarray, window_s: float, reach_s: float = 1.5) -> np.ndarray:
    """Move each boundary, within ``reach_s``, to the 10 ms frame where the mean band levels of ``window_s`` before
    and after differ most (standardised per band): the novelty's 0.5 s steps and windows blur where a change is."""
    if times_s.size == 0:
        return times_s
    levels = np.maximum(frames.bands_db, frames.bands_db.max(initial=-100.0) - 80.0).astype(np.float64)
    levels = _standardise(levels)
    cum = np.vstack([np.zeros((1, levels.shape[1])), np.cumsum(levels, axis=0)])
    rate = frames.frame_rate_hz
    w = max(int(round(window_s * rate)), 1)
    out = times_s.astype(np.float64).copy()
    for k, t in enumerate(times_s):
        centre = int(round(t * rate))
        cand = np.arange(max(centre - int(reach_s * rate), w), min(centre + int(reach_s * rate), frames.count - w) + 1)
        if cand.size == 0:
            continue
        before = (cum[cand] - cum[cand - w]) / w
        after = (cum[cand + w] - cum[cand]) / w
        out[k] = cand[int(np.argmax(((after - before) ** 2).sum(axis=1)))] / rate
    return out


def _label_sections(ssm: np.ndarray, spans: list[tuple[int, int]]) -> list[str]:
    """Letters A, B, ...: a section takes the label of the earlier section most like it, if alike enough.

    Likeness is the mean cross-similarity of two sections over the geometric mean of their self-similarities."""
    means = np.array([[ssm[a:b, c:d].mean() for c, d in spans] for a, b in spans])
    diag = np.sqrt(np.maximum(np.diag(means), 1e-12))
    likeness = means / diag[:, None] / diag[None, :]
    labels: list[str] = []
    for i in range(len(spans)):
        j = int(np.argmax(likeness[i, :i])) if i else -1
        if j >= 0 and likeness[i, j] >= SAME_LABEL_LIKENESS:
            labels.append(labels[j])
        else:
            letters = sorted(set(labels))
            labels.append(chr(ord("A") + min(len(letters), 25)))
    return labels


def section_loudness(loudness: LoudnessResult, start_s: float, end_s: float) -> float | None:
    """Loudness (LUFS) of start_s..end_s: energy mean of the momentary windows inside it; None when silent."""
    ends = loudness.series_times_s()
    inside = (ends - 0.4 >= start_s - 1e-9) & (ends <= end_s + 1e-9)
    if not inside.any():
        inside = (ends > start_s) & (ends <= end_s + 0.4)
    if not inside.any():
        return None
    energy = 10.0 ** ((loudness.momentary_lufs[inside] - (-0.691)) / 10.0)
    mean = float(np.mean(energy))
    return float(energy_to_lufs(mean)) if mean > 0 else None


def find_sections(frames: Frames, loudness: LoudnessResult | None = None, *, bpm: float | None = None,
                  beats_s: np.ndarray | None = None, min_section_s: float = MIN_SECTION_S) -> list[Section]:
    """Sections of a song from its spectral frames (and loudness meter result, for per-section LUFS)."""
    times, heights, ssm = find_boundaries(frames, bpm=bpm, beats_s=beats_s, min_section_s=min_section_s)
    edges = [0.0, *times.tolist(), frames.duration_s]
    feats = section_features(frames, window_s=WINDOW_BEATS * _beat_s(bpm))
    n = feats.shape[0]
    spans = [(min(int(round(a / HOP_S)), max(n - 1, 0)), max(min(int(round(b / HOP_S)), n), 1))
             for a, b in zip(edges[:-1], edges[1:])]
    spans = [(a, max(b, a + 1)) for a, b in spans]
    labels = _label_sections(ssm, spans) if n else ["A"] * len(spans)
    out = []
    for i, ((a, b), start, end) in enumerate(zip(spans, edges[:-1], edges[1:])):
        block = ssm[a:b, a:b] if n else np.ones((1, 1))
        sec = Section(start, end, labels[i], sameness=float(block.mean()) if block.size else 0.0,
                      novelty=float(heights[i - 1]) if i else 0.0)
        if loudness is not None:
            sec.loudness_lufs = section_loudness(loudness, start, end)
        out.append(sec)
    return out
