"""Convolution reverb: equals scipy's fftconvolve for any block size and IR length (a few taps to 10 s), bit-identical
whatever the blocks; the partitions grow along the response; IR files at any rate; mono/stereo; errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import fftconvolve
from signals import noise, process_in_blocks

from studioflow.audio.files import write
from studioflow.audio.resample import resample
from studioflow.dsp.registry import create
from studioflow.dsp.space.convolution import ConvolutionReverb, partition_plan
from studioflow.errors import AudioFileError, ParameterError

RATE = 16000


def decaying_ir(frames: int, channels: int = 1, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((channels, frames)) * np.exp(-np.arange(frames) / (frames / 5))).astype(np.float64)


def reference(x: np.ndarray, ir: np.ndarray) -> np.ndarray:
    ir = np.broadcast_to(ir, (x.shape[0], ir.shape[1]))
    return np.stack([fftconvolve(x[c].astype(np.float64), ir[c])[:x.shape[1]] for c in range(x.shape[0])])


def assert_close_relative(y, ref):
    assert np.abs(y - ref).max() <= 1e-5 * np.abs(ref).max()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=6), st.sampled_from([100, 700, 2900]),
       st.sampled_from([16, 64, 256]))
def test_equals_fftconvolve_for_any_block_size(sizes, ir_frames, partition):
    x = noise(0.4, RATE, channels=2, seed=1)
    ir = decaying_ir(ir_frames, channels=2)

    def make():
        return ConvolutionReverb(RATE, ir=ir, mix=1.0, normalize=False, partition_frames=partition)

    assert_close_relative(process_in_blocks(make, x, sizes), reference(x, ir))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 70000), min_size=1, max_size=6), st.sampled_from([1, 15, 100, 2900, 20000, 10 * RATE]),
       st.sampled_from([16, 64, 512]))
def test_output_is_bit_identical_for_any_block_size(sizes, ir_frames, partition):
    x = noise(ir_frames / RATE + 0.5, RATE, channels=2, seed=6)
    ir = decaying_ir(ir_frames, channels=2)

    def make():
        return ConvolutionReverb(RATE, ir=ir, mix=0.6, normalize=False, partition_frames=partition)

    assert np.array_equal(process_in_blocks(make, x, sizes), make()(x))


@pytest.mark.parametrize("ir_frames", [1, 3, 512, 513, 4096, 4097, 32768 + 4097, 10 * RATE])
@pytest.mark.parametrize("sizes", [[1, 300, 2999], [70001, 4096]])
def test_equals_fftconvolve_from_a_few_taps_to_ten_seconds(ir_frames, sizes):
    x = noise(ir_frames / RATE + 0.3, RATE, channels=2, seed=7)
    ir = decaying_ir(ir_frames, channels=2)

    def make():
        return ConvolutionReverb(RATE, ir=ir, mix=1.0, normalize=False)

    assert_close_relative(process_in_blocks(make, x, sizes), reference(x, ir))


@pytest.mark.parametrize("frames", [1, 511, 512, 513, 4096, 4097, 32769, 480000, 3_000_000])
def test_partitions_tile_the_response_and_grow_along_it(frames):
    plan = partition_plan(frames, 512)
    start = 512
    for size, count in plan:
        assert start == size      # a class starts one partition of its size in, so each output block is ready in time
        start += size * count
    assert start >= frames
    assert not plan or start - plan[-1][0] < frames


def test_a_ten_second_response_needs_few_partitions():
    assert sum(count for _, count in partition_plan(10 * 48000, 512)) < 40     # uniform partitions of 512: 937


def test_mono_ir_on_stereo_input_and_stereo_ir_on_mono_input():
    x = noise(0.3, RATE, channels=2, seed=2)
    ir = decaying_ir(1500)
    assert_close_relative(ConvolutionReverb(RATE, ir=ir[0], mix=1.0, normalize=False)(x), reference(x, ir))
    ir2 = decaying_ir(1500, channels=2)
    mono = x[:1]
    assert_close_relative(ConvolutionReverb(RATE, ir=ir2, mix=1.0, normalize=False)(mono),
                          reference(mono, ir2.mean(axis=0, keepdims=True)))


def test_zero_latency_predelay_and_mix():
    x = noise(0.2, RATE, seed=3)
    ir = decaying_ir(800)
    rev = ConvolutionReverb(RATE, ir=ir, mix=0.25, normalize=False, predelay_ms=10)
    assert rev.latency == 0
    wet = np.pad(reference(x, ir), ((0, 0), (160, 0)))[:, :x.shape[1]]
    assert_close_relative(rev(x), 0.75 * x + 0.25 * wet)
    assert rev.tail_seconds() == pytest.approx((800 + 160) / RATE)


def test_normalize_gives_unit_energy_response():
    ir = 7.0 * decaying_ir(600)
    rev = ConvolutionReverb(RATE, ir=ir, mix=1.0)
    impulse = np.zeros((1, 1000), np.float32)
    impulse[0, 0] = 1.0
    assert np.sum(rev(impulse).astype(np.float64) ** 2) == pytest.approx(1.0, rel=1e-5)


def test_loads_an_ir_file_at_another_rate(tmp_path):
    ir = decaying_ir(2205, channels=2).astype(np.float32) * 0.3
    path = write(tmp_path / "hall.wav", ir, 44100, subtype="FLOAT")
    rev = create("convolution_reverb", 48000, ir_path=str(path), mix=1.0, normalize=False)
    x = noise(0.2, 48000, channels=2, seed=4)
    expected = reference(x, resample(ir, 44100, 48000).astype(np.float64))
    assert_close_relative(rev(x), expected)


def test_bad_inputs_say_what(tmp_path):
    with pytest.raises(AudioFileError):
        ConvolutionReverb(RATE, ir_path=tmp_path / "missing.wav")
    with pytest.raises(ParameterError, match="mono or stereo"):
        ConvolutionReverb(RATE, ir=np.ones((3, 100)))
    with pytest.raises(ParameterError, match="silent"):
        ConvolutionReverb(RATE, ir=np.zeros(100))
    with pytest.raises(ParameterError, match="one of them"):
        ConvolutionReverb(RATE)
    with pytest.raises(ParameterError, match="partition_frames"):
        ConvolutionReverb(RATE, ir=np.ones(10), partition_frames=100)
