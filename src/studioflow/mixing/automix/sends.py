"""Reverb and delay: two return buses (100 % wet) and send levels by role; the delay's time follows the tempo.

The reverb bus high-passes its input (no low-end wash) and uses a decay from the genre; the delay is a dotted
eighth at the song's tempo (a quarter note above 140 BPM), its repeats darkened and thinned in the feedback loop.
Without a tempo it is a 110 ms slap-back, which needs no tempo to sit right.
"""

from __future__ import annotations

from typing import Any

REVERB_BUS, DELAY_BUS = "reverb", "delay"
# role -> (reverb send dB, delay send dB); None: no send
ROLE_SENDS: dict[str, tuple[float | None, float | None]] = {
    "lead_vocal": (-12.0, -18.0), "backing_vocals": (-10.0, None), "synth_lead": (-14.0, -16.0),
    "snare": (-14.0, None), "toms": (-16.0, None), "overheads": (-20.0, None), "kick": (None, None),
    "bass": (None, None), "hats": (-24.0, None), "percussion": (-16.0, None), "guitar": (-16.0, -22.0),
    "keys": (-15.0, None), "pads": (-12.0, None), "fx": (-12.0, -18.0), "drums": (-20.0, None),
    "strings": (-12.0, None), "brass": (-15.0, None), "winds": (-14.0, -22.0), "unknown": (-16.0, None),
}
# genre -> (reverb decay s, pre-delay ms, dB added to every reverb send)
GENRE_SPACE: dict[str, tuple[float, float, float]] = {
    "pop": (1.6, 20.0, 0.0), "rock": (1.4, 15.0, -1.0), "electronic": (2.2, 30.0, 0.0), "hiphop": (1.0, 10.0, -3.0),
    "ballad": (2.6, 35.0, 2.0), "jazz": (1.8, 15.0, 0.0),
}
SLAP_MS = 110.0
REVERB_HPF_HZ = 250.0
DELAY_HIGH_CUT_HZ = 5000.0     # the echo repeats are darkened above this (or 0.45 x the rate, if lower)


def delay_ms(tempo_bpm: float | None) -> tuple[float, str]:
    """Delay time (ms) and why: a dotted eighth (quarter above 140 BPM) at the tempo, or a slap-back."""
    if tempo_bpm is None:
        return SLAP_MS, f"no tempo: a {SLAP_MS:.0f} ms slap-back"
    beat = 60000.0 / tempo_bpm
    if tempo_bpm > 140:
        return round(beat, 2), f"a quarter note at {tempo_bpm:g} BPM"
    return round(beat * 0.75, 2), f"a dotted eighth at {tempo_bpm:g} BPM"


def return_buses(genre: str | None, tempo_bpm: float | None,
                 rate: int = 48000) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The reverb and delay buses (session data) and the reason for each; filters stay under 0.45 x ``rate`` (Hz)."""
    dark = min(DELAY_HIGH_CUT_HZ, 0.45 * rate)
    decay, predelay, _ = GENRE_SPACE.get(genre or "pop", GENRE_SPACE["pop"])
    time, why = delay_ms(tempo_bpm)
    buses = [
        {"name": REVERB_BUS, "inserts": [{"type": "highpass", "freq": REVERB_HPF_HZ, "slope": 12},
                                         {"type": "reverb", "decay_s": decay, "predelay_ms": predelay, "size": 0.6,
                                          "damping": 0.5, "mix": 1.0}]},
        {"name": DELAY_BUS, "inserts": [{"type": "delay", "time_ms": time, "feedback": 0.3, "low_cut_hz": 300.0,
                                         "high_cut_hz": dark, "ping_pong": True, "mix": 1.0}]},
    ]
    reasons = {REVERB_BUS: (f"shared room for the {genre or 'pop'} mix: {decay:g} s decay, {predelay:g} ms pre-delay, "
                            f"high-passed at {REVERB_HPF_HZ:g} Hz so the low end stays dry"),
               DELAY_BUS: f"echo return: {time:g} ms ({why}), ping-pong, repeats darkened above {dark / 1000:g} kHz"}
    return buses, reasons


def sends_for(role: str, genre: str | None) -> tuple[list[dict[str, Any]], str]:
    """A track's sends (session data) and why."""
    reverb, delay = ROLE_SENDS[role]
    offset = GENRE_SPACE.get(genre or "pop", GENRE_SPACE["pop"])[2]
    sends, parts = [], []
    if reverb is not None:
        sends.append({"bus": REVERB_BUS, "level_db": reverb + offset})
        parts.append(f"reverb {reverb + offset:g} dB")
    if delay is not None:
        sends.append({"bus": DELAY_BUS, "level_db": delay})
        parts.append(f"delay {delay:g} dB")
    label = role.replace("_", " ")
    return sends, (f"{label}: {', '.join(parts)}" if parts else f"{label}: kept dry (low end and punch stay tight)")
