"""A room inside the JACK dummy server: a JACK client that takes the recorder's output (the sweep), convolves it with
known impulse responses (one per microphone position, see ``planted_room``) and feeds the results, with a little
background noise, into the recorder's inputs."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))   # planted_room.py

from planted_room import LENGTH_S, planted_ir  # noqa: E402

# tests/recording/conftest.py: a client start retried under load, waiting for and stopping a server
from recording.conftest import _open_client, running_jack  # noqa: E402

NOISE_RMS = 1e-5        # background noise at the mics: -100 dBFS


BLOCK = 2048              # the convolver's block (frames)
DELAY = 4 * BLOCK         # the room client's own delay (frames): the worker has 3 blocks of slack to keep up


class ConvolvingRoom:
    """A JACK client: one input port (the speaker), one output port per impulse response (the mics). Its process
    callback only copies samples in and out of ring buffers; a worker thread convolves each block of ``BLOCK``
    frames with a uniformly partitioned overlap-save FFT convolution, and the mics play the result ``DELAY`` frames
    late (a room whose speaker stands ``DELAY`` frames further away). ``late`` counts periods the worker missed."""

    def __init__(self, server: str, irs: list[np.ndarray], *, noise_rms: float = NOISE_RMS, seed: int = 7) -> None:
        self.client = _open_client("sfroom", server)
        self.speaker = self.client.inports.register("speaker")
        self.mics = [self.client.outports.register(f"mic_{i + 1}") for i in range(len(irs))]
        self.h = self.spectra(irs)
        self.size = 64 * BLOCK                                    # ring buffers: about 2.7 s
        self.x = np.zeros(self.size)
        self.y = np.zeros((len(irs), self.size))
        self.written = 0                                          # input frames received
        self.done = 0                                             # input frames convolved (whole blocks)
        self.late = 0
        self.delay = DELAY
        self.noise = noise_rms * np.random.default_rng(seed).standard_normal((len(irs), self.size))
        self.closing = threading.Event()
        self.arrived = threading.Condition()

        @self.client.set_process_callback
        def process(frames: int) -> None:
            at = self.written % self.size
            self.x[at:at + frames] = self.speaker.get_array()
            out_at = (self.written - DELAY) % self.size
            if self.written - DELAY + frames > self.done:        # the worker has not made these frames yet
                self.late += 1
            for i, port in enumerate(self.mics):
                port.get_array()[:] = self.y[i, out_at:out_at + frames] + self.noise[i, out_at:out_at + frames]
            self.written += frames
            with self.arrived:
                self.arrived.notify()

        self.worker = threading.Thread(target=self._convolve, daemon=True)
        self.worker.start()
        self.client.activate()

    def _convolve(self) -> None:
        parts = self.h.shape[1]
        history = np.zeros((2 * parts, BLOCK + 1), dtype=np.complex128)   # newest first at history[k:k + parts]
        k, previous = 0, np.zeros(BLOCK)
        while not self.closing.is_set():
            with self.arrived:
                self.arrived.wait_for(lambda: self.written - self.done >= BLOCK or self.closing.is_set(), 0.5)
            while self.written - self.done >= BLOCK:
                at = self.done % self.size
                block = self.x[at:at + BLOCK].copy()
                k = (k - 1) % parts
                history[k] = history[k + parts] = np.fft.rfft(np.concatenate([previous, block]))
                previous = block
                spectrum = np.einsum("pk,mpk->mk", history[k:k + parts], self.h)
                self.y[:, at:at + BLOCK] = np.fft.irfft(spectrum, n=2 * BLOCK, axis=1)[:, BLOCK:]
                self.done += BLOCK

    @staticmethod
    def spectra(irs: list[np.ndarray]) -> np.ndarray:
        """The spectra of the IRs' partitions, each zero-padded to two blocks: (mics, partitions, bins)."""
        parts = max(len(ir) for ir in irs) // BLOCK + 1
        padded = np.zeros((len(irs), parts * BLOCK))
        for i, ir in enumerate(irs):
            padded[i, :len(ir)] = ir
        return np.fft.rfft(padded.reshape(len(irs), parts, BLOCK), n=2 * BLOCK, axis=2)

    def move(self, irs: list[np.ndarray]) -> None:
        """The mics move: from the next block on they hear ``irs`` (as many and as long as the first ones)."""
        h = self.spectra(irs)
        if h.shape != self.h.shape:
            raise ValueError("the new impulse responses must match the first ones in number and length")
        self.h = h

    def wire(self, output: int, inputs: list[int]) -> threading.Thread:
        """Keep the recorder's output ``output`` connected to the speaker and mic i to the recorder's input
        ``inputs[i]``: every stream the recorder opens (a new sweep, a retry) gets its ports connected as soon as
        they appear, until ``close()``."""
        def keep() -> None:
            while not self.closing.is_set():
                outs = sorted(self.client.get_ports("PortAudio.*:out_", is_audio=True, is_output=True),
                              key=lambda p: p.name)
                ins = sorted(self.client.get_ports("PortAudio.*:in_", is_audio=True, is_input=True),
                             key=lambda p: p.name)
                if len(outs) >= output and len(ins) >= max(inputs):
                    wanted = [(outs[output - 1], self.speaker)] + [(m, ins[i - 1]) for m, i in zip(self.mics, inputs)]
                    for src, dst in wanted:
                        try:
                            if dst.name not in [p.name for p in self.client.get_all_connections(src)]:
                                self.client.connect(src, dst)
                        except Exception:        # the stream closed meanwhile: its ports are gone
                            pass
                time.sleep(0.005)

        th = threading.Thread(target=keep, daemon=True)
        th.start()
        return th

    def close(self) -> None:
        self.closing.set()
        self.worker.join(5.0)

        def shut() -> None:
            self.client.deactivate()
            self.client.close()

        closing = threading.Thread(target=shut, daemon=True)
        closing.start()
        closing.join(10.0)


PERIOD = 1024            # frames: 21 ms cycles, so a loaded machine does not make the dummy server drop samples


@pytest.fixture(scope="module")
def room_server(tmp_path_factory):
    """A JACK dummy server of its own for the room tests, with 1024-frame periods (the shared one runs 256-frame
    periods, which a heavily loaded machine misses: then samples are lost and a sweep is spoilt); PortAudio is
    pointed at it for the module, then initialized again as it was (once, on the server named before)."""
    import sounddevice

    with running_jack("sfroom", tmp_path_factory, period=PERIOD) as name:
        yield name
    sounddevice._initialize()


@pytest.fixture
def room(room_server):
    """The planted room heard by three mics (noise seeds 1, 2 and 3 of the same decays, mode and reflection);
    ``room.move(...)`` moves them."""
    r = ConvolvingRoom(room_server, [planted_ir(seed=s, length_s=LENGTH_S) for s in (1, 2, 3)])
    yield r
    r.close()
