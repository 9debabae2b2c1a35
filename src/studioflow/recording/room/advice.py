"""What the room figures mean for a recording, in plain words: how live the room is (for vocals and for drums), bass
that rings longer than the rest, the modes to keep mics and speakers off, the reflections to treat, whether the
measurement itself had enough level. The thresholds are rules of thumb of studio practice (see ``plan_table.yaml``
for the sources): a vocal booth decays in about 0.2-0.4 s, a live tracking room in 0.6-1.2 s; a band that rings more
than half as long again as the mid-band wants bass trapping; a reflection within 20 dB of the direct sound, arriving in
the first few milliseconds, colours a close mic (comb filtering)."""

from __future__ import annotations

from typing import Any

DEAD_S = 0.3           # mid-band T30 below this: a dead (booth-like) room
LIVE_S = 0.6           # above this: a live room
BASS_RATIO = 1.5       # a low band ringing this much longer than the mid-band wants trapping
MODE_DB = 10.0         # a mode this far above its surroundings is worth naming


def mid_t30(result: dict[str, Any]) -> float | None:
    """The mid-band decay time (s): the mean of T30 (else T20) at 500 Hz and 1 kHz."""
    values = [b.get("t30_s") or b.get("t20_s") for b in result["bands"] if b["band_hz"] in (500.0, 1000.0)]
    values = [v for v in values if v]
    return sum(values) / len(values) if values else None


def liveness(t_mid_s: float | None) -> str:
    """'dead', 'controlled' or 'live' for a mid-band decay time (s); 'unknown' without one."""
    if t_mid_s is None:
        return "unknown"
    return "dead" if t_mid_s < DEAD_S else "live" if t_mid_s > LIVE_S else "controlled"


def advise(result: dict[str, Any]) -> list[str]:
    """Sentences for the musician and the engineer, most important first."""
    out: list[str] = []
    t_mid = mid_t30(result)
    kind = liveness(t_mid)
    if kind == "unknown":
        out.append("The decay could not be measured above the noise: play the sweep louder (--level) or quieten "
                   "the room, then measure again.")
    elif kind == "dead":
        out.append(f"The room is dead (mid-band decay {t_mid:.2f} s): good for close vocals and spoken word; drums "
                   "and ensembles will sound small, so plan to add space in the mix.")
    elif kind == "controlled":
        out.append(f"The room is controlled (mid-band decay {t_mid:.2f} s): fine for most sources; for a dry vocal "
                   "put absorbers (or a duvet) behind the singer.")
    else:
        out.append(f"The room is live (mid-band decay {t_mid:.2f} s): good for drums and room mics; close-mic vocals "
                   "and acoustic instruments and put gobos or absorbers around them.")
    if t_mid:
        for band in result["bands"]:
            t = band.get("t30_s") or band.get("t20_s")
            if band["band_hz"] <= 250 and t and t > BASS_RATIO * t_mid:
                out.append(f"Bass rings long at {band['band_hz']:g} Hz ({t:.2f} s against {t_mid:.2f} s in the "
                           "mids): bass traps in the corners will tighten the low end.")
    for mode in result["modes"]:
        if mode["level_db"] < MODE_DB:
            continue
        ring = f", rings for {mode['decay_s']:.2f} s" if mode.get("decay_s") else ""
        out.append(f"A room mode at {mode['freq_hz']:.0f} Hz stands {mode['level_db']:.0f} dB out{ring} (half a "
                   f"wavelength is {mode['half_wavelength_m']:.2f} m: look for a room dimension of that size): move "
                   "the mic or the speakers off the middle and off the walls of that dimension, and trap the corners.")
    seen: set[float] = set()
    for reflections in result["reflections"]:
        for r in reflections:
            key = round(r["path_m"], 1)
            if key in seen or r["level_db"] < -15.0:
                continue
            seen.add(key)
            out.append(f"A strong reflection {r['delay_ms']:.1f} ms after the direct sound ({r['level_db']:.0f} dB, "
                       f"{r['path_m']:.2f} m more path: a surface about {r['path_m'] / 2:.2f} m from the mic or the "
                       "speaker): put absorption at that surface or move the mic away from it.")
    if any(p > -1.0 for p in result.get("peak_dbfs", [])):
        out.append("The recording of the sweep came near full scale: lower --level and measure again, a clipped "
                   "sweep spoils the impulse response.")
    if result.get("xruns"):
        out.append(f"The interface reported {result['xruns']} dropout(s) during the sweeps: if the figures look odd, "
                   "close other audio programs or raise the buffer size and measure again.")
    return out
