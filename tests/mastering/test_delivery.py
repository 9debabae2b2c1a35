"""Delivery files: the 16-bit/44.1 kHz WAV is resampled (soxr VHQ) and then dithered as the very last step, so its
error against the resampled master is exactly the dither's (TPDF: white, q^2/4; shaped: q^2/4 |NTF|^2)."""

import numpy as np
import pytest
from scipy.signal import welch
from songs import RATE, beat_song, true_peak_8x_dbtp

from studioflow.audio.files import info, read, write
from studioflow.audio.resample import resample
from studioflow.dsp.dither import noise_transfer
from studioflow.mastering.api import master

Q = 2.0 ** -15                      # one 16-bit LSB of full scale
TPDF_TOTAL_DB = 10 * np.log10(Q ** 2 / 4)   # -96.33 dBFS: TPDF +-1 LSB plus rounding (Lipshitz et al. 1992)
BANDS_HZ = ((1000, 3000), (3000, 5000), (9000, 11000), (17000, 20000))


@pytest.fixture(scope="module")
def mix(tmp_path_factory):
    path = tmp_path_factory.mktemp("mix") / "mix.wav"
    write(path, beat_song(-20.0, seconds=4.0), RATE, subtype="FLOAT")
    return path


def _error(tmp_path, rec):
    d24, d16 = rec["deliveries"][0], rec["deliveries"][1]
    assert d16["key"] == "wav16" and info(d16["path"]).subtype == "PCM_16" and info(d16["path"]).sample_rate == 44100
    full, rate = read(d24["path"])
    ref = resample(full * np.float32(10 ** ((d16["trim_db"] - d24["trim_db"]) / 20)), rate, 44100)
    got, _ = read(d16["path"])
    return got.astype(np.float64) - ref.astype(np.float64)


@pytest.mark.parametrize("shape", ["tpdf", "shaped"])
def test_wav16_is_dithered_last_and_under_the_ceiling(mix, tmp_path, shape):
    rec = master(mix, tmp_path / "m.wav", target="spotify", formats=("wav16",), dither=shape)
    err = _error(tmp_path, rec)[:, 4410:-4410]
    f, psd = welch(err, fs=44100, nperseg=4096, axis=1)
    psd = psd.mean(axis=0)
    total = 10 * np.log10(np.mean(err ** 2))
    want = Q ** 2 / 4 * noise_transfer(f, 44100, shape) / 22050          # one-sided density of the dither error
    for lo, hi in BANDS_HZ:
        sel = (f >= lo) & (f < hi)
        assert 10 * np.log10(psd[sel].mean() / want[sel].mean()) == pytest.approx(0.0, abs=0.5)
    if shape == "tpdf":
        assert total == pytest.approx(TPDF_TOTAL_DB, abs=0.2)      # plain rounding would be 4.8 dB lower
    audio, _ = read(rec["deliveries"][1]["path"])
    assert true_peak_8x_dbtp(audio) <= -1.0
    assert rec["deliveries"][1]["dither"] == shape


def test_the_master_written_in_the_limiter_pass_is_measured_as_the_file_reads(tmp_path):
    # the samples are measured on the file's own 24-bit grid, so what Wav24Master measures is the file
    from signals import noise

    from studioflow.analysis.loudness import integrated_loudness
    from studioflow.mastering.delivery import Wav24Master
    from studioflow.mastering.verify import true_peak_8x_dbtp as checked_8x

    x = (noise(1.0, channels=2, rms_dbfs=-14, seed=4) * 1.5).astype(np.float32)   # some samples over full scale
    with Wav24Master(tmp_path / "m.wav", RATE, 2) as m:
        for i in range(0, x.shape[1], 7000):
            m.put(x[:, i:i + 7000])
    back, _ = read(tmp_path / "m.wav")
    grid = np.clip(np.rint(x.astype(np.float64) * 2 ** 23), -2 ** 23, 2 ** 23 - 1) / 2 ** 23
    assert np.array_equal(back, grid.astype(np.float32))
    rec = m.record(ceiling_dbtp=20.0)
    assert rec["true_peak_dbtp"] == pytest.approx(checked_8x([back]), abs=1e-9)
    assert rec["integrated_lufs"] == pytest.approx(integrated_loudness(back, RATE), abs=1e-6)
    assert m.record(ceiling_dbtp=-1.0) is None           # over the ceiling: deliver makes it again


def test_a_lossy_delivery_streams_in_flat_memory_and_is_measured_as_the_whole_file(tmp_path):
    # one minute made block by block as it is asked for, so only what deliver holds shows in the peak
    import tracemalloc

    from studioflow.audio.encode import decode
    from studioflow.mastering.delivery import deliver
    from studioflow.mastering.loudness_floor import Loudness
    from studioflow.mastering.verify import TruePeak8x

    block = 1 << 16

    def source(seconds):
        def blocks(gain_db):
            g = 10 ** (gain_db / 20) * 0.1
            for pos in range(0, RATE * seconds, block):
                rng = np.random.default_rng(pos)
                yield (g * rng.standard_normal((2, min(block, RATE * seconds - pos)))).astype(np.float32)
        return blocks

    deliver("aac", source(1), tmp_path / "warm.m4a", RATE, 2, ceiling_dbtp=0.0)   # imports PyAV, loads the meters
    tracemalloc.start()
    try:
        rec = deliver("aac", source(60), tmp_path / "m.m4a", RATE, 2, ceiling_dbtp=0.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rec["note"] == "" and rec["trim_db"] == 0.0        # made once, no second attempt
    assert peak < 2 * RATE * 60 * 4 / 4                        # a quarter of the minute as one float32 array (23 MB)

    audio, rate = decode(rec["path"])
    assert audio.shape == (2, RATE * 60) and rate == RATE
    meter, tp = Loudness(rate, 2), TruePeak8x()
    meter.add(audio)
    tp.add(audio)
    assert rec["integrated_lufs"] == pytest.approx(meter.result()["integrated_lufs"], abs=1e-6)
    assert rec["true_peak_dbtp"] == pytest.approx(tp.finish(), abs=1e-9)


def test_the_16bit_dither_is_muted_in_digital_silence_only(tmp_path):
    # a lead-in, a tone, 50 ms of digital silence, a tone that fades to zero, a tail: only the tones are dithered
    from studioflow.mastering.delivery import dither_16

    t = np.arange(22050) / 44100
    tone = (0.25 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    fade = tone * np.linspace(1, 0, tone.size, dtype=np.float32)
    x = np.concatenate([np.zeros(300), tone, np.zeros(2205), fade, np.zeros(3000)]).astype(np.float32)
    x = np.stack([x, x])
    runs = []
    for size in (x.shape[1], 1000, 333):                          # the same in blocks of any size
        parts = (x[:, i:i + size] for i in range(0, x.shape[1], size))
        runs.append(np.concatenate(list(dither_16(parts, 44100, "tpdf")), axis=1))
    y = runs[0]
    assert y.shape == x.shape and all(np.array_equal(r, y) for r in runs[1:])
    n = tone.size
    assert not y[:, :300].any() and not y[:, 300 + n:300 + n + 2205].any() and not y[:, -3000:].any()
    assert np.array_equal(y, np.round(y * 32768) / 32768)        # 16-bit codes
    dithered = y[:, 300:300 + n] - x[:, 300:300 + n]              # the tone: dithered throughout, zero crossings too
    assert np.count_nonzero(dithered) > 0.99 * dithered.size and np.abs(dithered).max() <= 2.5 / 32768
