"""Playback-system models for the translation check: earbuds, a phone speaker, a laptop, a car and a club PA.

Each model is a frequency response (``dsp.eq`` bands: Butterworth high/low-pass, RBJ shelves and bells), whether the
system folds (part of) the signal to mono, and a level limit: the most a system plays above the master's integrated
loudness before its protection limiter (or its drivers) squash the peaks. These are approximations drawn from the
ranges that published measurements report, not a measurement of any one product:

- earbuds: unsealed earbuds of the Apple EarPods kind lose bass through the leak at the ear; measurements (RTINGS.com
  frequency-response reviews of EarPods-type buds) show the response falling off below about 100 Hz, a presence bump
  near 2-4 kHz and little above 15 kHz. Sealed in-ears follow the Harman in-ear target (Olive, Welti & Khonsaripour,
  AES 143rd Convention, 2017, paper 9878), which the unsealed model departs from in the bass.
- phone: a smartphone micro-speaker in a ~1 cm^3 back volume resonates around 600-1000 Hz and falls at about
  12-24 dB/oct below it (micro-speaker measurements in Klippel GmbH's application notes, and W. Klippel, "Tutorial:
  Loudspeaker nonlinearities", JAES 54(10), 2006, for the excursion limits that make phones limit hard: a few dB of
  headroom above the average level). Modelled: 24 dB/oct below 500 Hz, a bump near 1.5 kHz, roll-off above 12 kHz,
  mono.
- laptop: RTINGS.com laptop reviews report speaker low-frequency extension mostly between 100 and 250 Hz; modelled as
  24 dB/oct below 180 Hz with a bump near 2.5 kHz, roll-off above 16 kHz, and a modest limiter.
- car: the cabin's pressure-field "cabin gain" lifts the bass below about 60-80 Hz by roughly 8-12 dB in in-car
  transfer-function measurements (AES Automotive Audio conference literature; the same bass rise is built into
  in-car target curves); door woofers stop near 30 Hz and the treble is softened off-axis. Modelled: +9 dB shelf
  at 70 Hz, 12 dB/oct below 30 Hz, -3 dB shelf above 8 kHz.
- club PA: subwoofers reach about 35-40 Hz, bass management sums everything under the ~100 Hz sub crossover to mono,
  the house curve lifts the lows a few dB, and air absorbs treble over distance (ISO 9613-1: about 0.1 dB/m at
  8 kHz at 20 degC and 70 % RH, so a few dB at 25-30 m). Modelled: 24 dB/oct below 35 Hz, +4 dB shelf at 100 Hz,
  mono below 100 Hz, -4 dB shelf above 8 kHz, limiters 12 dB above the average level.

The level limits (``headroom_db``, peak level above the master's integrated loudness where the system's limiter
acts) are our estimates from the same sources: phone 6 dB (speaker-protection limiting is heavy), laptop 9 dB,
club PA 12 dB, car 15 dB, earbuds 20 dB (practically unlimited at normal listening levels).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from studioflow.dsp import filters
from studioflow.dsp.eq import band_sos, check_band


@dataclass(frozen=True)
class System:
    """One playback system: response bands (dsp.eq), mono fold (``mono`` whole, or below ``mono_below_hz``),
    ``headroom_db`` (peak level above the integrated loudness where its limits act), and where the figures come from."""

    name: str
    label: str
    bands: tuple[dict, ...]
    headroom_db: float
    source: str
    mono: bool = False
    mono_below_hz: float | None = None

    def as_dict(self) -> dict:
        """Plain JSON-ready data."""
        return asdict(self)

    def sos(self, rate: int) -> np.ndarray:
        """The response as second-order sections at ``rate`` Hz."""
        return np.vstack([band_sos(check_band(self.name, rate, b), rate) for b in self.bands])

    def response_db(self, freqs_hz: np.ndarray, rate: int) -> np.ndarray:
        """Magnitude response in dB at ``freqs_hz``."""
        return filters.sos_response_db(self.sos(rate), np.asarray(freqs_hz, dtype=float), rate)


SYSTEMS: dict[str, System] = {s.name: s for s in (
    System("earbuds", "earbuds",
           ({"type": "highpass", "freq": 100.0, "slope": 12},
            {"type": "peak", "freq": 3000.0, "gain_db": 4.0, "q": 1.0},
            {"type": "lowpass", "freq": 15000.0, "slope": 12}),
           20.0, "unsealed earbuds after RTINGS.com EarPods-type measurements; Harman in-ear target (AES 2017, 9878)"),
    System("phone", "phone speaker",
           ({"type": "highpass", "freq": 500.0, "slope": 24},
            {"type": "peak", "freq": 1500.0, "gain_db": 3.0, "q": 1.2},
            {"type": "lowpass", "freq": 12000.0, "slope": 12}),
           6.0, "micro-speaker measurements (Klippel GmbH application notes; Klippel, JAES 54(10), 2006)", mono=True),
    System("laptop", "laptop speakers",
           ({"type": "highpass", "freq": 180.0, "slope": 24},
            {"type": "peak", "freq": 2500.0, "gain_db": 3.0, "q": 1.0},
            {"type": "lowpass", "freq": 16000.0, "slope": 12}),
           9.0, "laptop speaker low-frequency extension 100-250 Hz (RTINGS.com laptop reviews)"),
    System("car", "car",
           ({"type": "highpass", "freq": 30.0, "slope": 12}, {"type": "lowshelf", "freq": 70.0, "gain_db": 9.0},
            {"type": "highshelf", "freq": 8000.0, "gain_db": -3.0}),
           15.0, "in-car cabin gain of 8-12 dB below 60-80 Hz (AES automotive audio literature, in-car target curves)"),
    System("club", "club PA",
           ({"type": "highpass", "freq": 35.0, "slope": 24}, {"type": "lowshelf", "freq": 100.0, "gain_db": 4.0},
            {"type": "highshelf", "freq": 8000.0, "gain_db": -4.0}),
           12.0, "sub crossover and bass management near 100 Hz; air absorption ISO 9613-1 (~0.1 dB/m at 8 kHz)",
           mono_below_hz=100.0),
)}
