"""A real audio server for the recording tests: JACK (jackd2) with its dummy backend, one per pytest worker, and a
JACK client that plays known signals into the recorder's input ports (PortAudio's JACK host API)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest

CLOSE_TIMEOUT_S = 10.0

RATE = 48000


def _open_client(name: str, server: str, attempts: int = 5):
    """A jack.Client on ``server``, retried: under heavy load the server can be slow to answer a new client."""
    import jack

    for attempt in range(attempts):
        try:
            return jack.Client(name, no_start_server=True, servername=server)
        except jack.JackOpenError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def _wait_for_server(name: str, proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    import jack

    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"jackd exited with {proc.returncode}")
        try:
            jack.Client("probe", no_start_server=True, servername=name).close()
            return
        except jack.JackOpenError:
            time.sleep(0.1)
    raise RuntimeError(f"jackd {name} did not come up in {timeout_s} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start_jackd(base: str, log, env: dict, attempts: int = 3, period: int = 256) -> tuple[str, subprocess.Popen]:
    """Start the dummy-backend server, retrying under a fresh name if it does not come up (a loaded machine can
    make the first start time out); returns (server name, process)."""
    errors = []
    for attempt in range(attempts):
        name = base if attempt == 0 else f"{base}-r{attempt}"
        # -r before -d: no realtime scheduling (CI runs as root without rtprio); -t: clients may be late by up to
        # 5 s before the server drops them (500 ms by default, too tight under load); -w: period in µs, so the
        # dummy backend runs at real-time pace for ``period``-frame periods.
        cmd = ["jackd", "--no-realtime", "-t", "5000", "-n", name, "-d", "dummy", "-r", str(RATE), "-p", str(period),
               "-w", str(int(period / RATE * 1e6)), "-C", "4", "-P", "4"]
        with open(log, "a") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**env, "JACK_DEFAULT_SERVER": name})
        try:
            _wait_for_server(name, proc)
            return name, proc
        except RuntimeError as e:
            errors.append(str(e))
            if proc.poll() is None:
                _stop(proc)
    raise RuntimeError(f"jackd would not start after {attempts} tries: {'; '.join(errors)} (log: {log})")


@contextlib.contextmanager
def running_jack(prefix: str, tmp_path_factory, period: int = 256):
    """A ``jackd --no-realtime -d dummy -r 48000 -p PERIOD`` under a server name unique to this worker, for the
    block; JACK_DEFAULT_SERVER is set meanwhile so PortAudio (here and in subprocesses) talks to it."""
    if shutil.which("jackd") is None:
        pytest.skip("jackd (Debian jackd2) is not installed: run scripts/setup-system.sh")
    base = f"{prefix}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    log = tmp_path_factory.mktemp("jack") / "jackd.log"
    env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1"}
    name, proc = _start_jackd(base, log, env, period=period)
    old = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    try:
        yield name
    finally:
        import sounddevice  # close PortAudio's JACK client while the server still runs (else it aborts at exit)
        while sounddevice._initialized:
            sounddevice._terminate()
        _stop(proc)
        if old is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = old


@pytest.fixture(scope="session")
def jack_server(tmp_path_factory):
    """The JACK dummy server of the recording tests (256-frame periods); yields its name."""
    with running_jack("sftest", tmp_path_factory) as name:
        yield name


class SignalPlayer:
    """A JACK client with one output port per signal (sine tones: (freq_hz, peak_dbfs)), connected on demand to the
    recorder's input ports; it can also loop the recorder's outputs back into its inputs."""

    def __init__(self, server: str, tones: list[tuple[float, float]]) -> None:
        self.client = _open_client("sfsignals", server)
        self.tones = tones
        self.ports = [self.client.outports.register(f"out_{i + 1}") for i in range(len(tones))]
        self.pos = 0
        rate = self.client.samplerate

        @self.client.set_process_callback
        def process(frames: int) -> None:
            t = (self.pos + np.arange(frames)) / rate
            for port, (freq, dbfs) in zip(self.ports, self.tones):
                port.get_array()[:] = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)
            self.pos += frames

        self.client.activate()

    def recorder_ports(self, kind: str, count: int, timeout_s: float = 30.0) -> list:
        """The recorder's PortAudio ports ('in' or 'out'), waiting until ``count`` of them exist."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            ports = self.client.get_ports("PortAudio.*:" + kind + "_", is_audio=True,
                                          is_input=kind == "in", is_output=kind == "out")
            if len(ports) >= count:
                return sorted(ports, key=lambda p: p.name)
            time.sleep(0.01)
        raise RuntimeError(f"recorder ports {kind}_* did not appear")

    def feed(self, count: int | None = None) -> None:
        """Connect signal i to the recorder's input i+1 (as soon as the recorder's ports exist)."""
        count = count or len(self.ports)
        for src, dst in zip(self.ports[:count], self.recorder_ports("in", count)):
            self.client.connect(src, dst)

    def feed_in_background(self) -> threading.Thread:
        th = threading.Thread(target=self.feed, daemon=True)
        th.start()
        return th

    def loop_back(self, out_channel: int = 1, in_channel: int = 1) -> None:
        """Connect the recorder's output ``out_channel`` to its own input ``in_channel``."""
        outs = self.recorder_ports("out", out_channel)
        ins = self.recorder_ports("in", in_channel)
        self.client.connect(outs[out_channel - 1], ins[in_channel - 1])

    def close(self) -> None:
        """Deactivate and close the client. On a machine starved of CPU the JACK library was seen to block in
        deactivate for good (even with the server gone): after CLOSE_TIMEOUT_S the client is left behind rather
        than the whole suite."""
        def shut() -> None:
            self.client.deactivate()
            self.client.close()

        closing = threading.Thread(target=shut, daemon=True)
        closing.start()
        closing.join(CLOSE_TIMEOUT_S)


@pytest.fixture
def player(jack_server):
    """Tones on two ports: 440 Hz at -12 dBFS and 1 kHz at -20 dBFS."""
    p = SignalPlayer(jack_server, [(440.0, -12.0), (1000.0, -20.0)])
    yield p
    p.close()
