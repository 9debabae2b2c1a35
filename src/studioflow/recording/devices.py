"""Audio interfaces through sounddevice (PortAudio): listing them and choosing one.

sounddevice loads the system PortAudio first (``ctypes.util.find_library("portaudio")``: Debian's libportaudio2,
built with its JACK host API) and only falls back to the copy bundled in its macOS/Windows wheels, which has no JACK.
``load()`` checks that and says so. PortAudio finds a JACK server only when it initializes, and sounddevice
initializes on import; ``refresh()`` re-initializes it so a server started later (or named by
``JACK_DEFAULT_SERVER``) is seen.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from studioflow.errors import DeviceError

JACK_API = "JACK Audio Connection Kit"


def load() -> ModuleType:
    """Import sounddevice, or DeviceError saying how to install PortAudio."""
    try:
        import sounddevice
    except OSError as e:                 # PortAudio library not found
        raise DeviceError(f"PortAudio is not installed ({e}): install libportaudio2 (Debian/Ubuntu) "
                          f"or portaudio (Homebrew)") from None
    return sounddevice


def refresh() -> ModuleType:
    """Re-initialize PortAudio so that it sees the audio servers and interfaces present now."""
    sd = load()
    sd._terminate()
    sd._initialize()
    return sd


def library() -> str:
    """The PortAudio library sounddevice uses (path or soname)."""
    return str(load()._libname)


def list_devices() -> list[dict[str, Any]]:
    """Every interface: index, name, host API, input and output channels, default rate (Hz)."""
    sd = refresh()
    apis = sd.query_hostapis()
    return [{"index": d["index"], "name": d["name"], "hostapi": apis[d["hostapi"]]["name"],
             "inputs": d["max_input_channels"], "outputs": d["max_output_channels"],
             "default_rate": int(d["default_samplerate"])} for d in sd.query_devices()]


def has_jack() -> bool:
    """True when PortAudio has a JACK host API (a JACK server is running and the library was built with JACK)."""
    return any(a["name"] == JACK_API for a in refresh().query_hostapis())


def _jack_hint() -> str:
    """Why JACK may be missing, when it is: for the end of an error message."""
    if any(a["name"] == JACK_API for a in load().query_hostapis()):
        return ""
    return (f" (no JACK host API in {library()}: start the JACK server "
            f"{os.environ.get('JACK_DEFAULT_SERVER', 'default')!r} first; PortAudio must be built with JACK, "
            f"as Debian's libportaudio2 is)")


def choose(device: str | int | None, *, inputs: int, outputs: int = 0) -> dict[str, Any]:
    """The device to record from: an index, a name substring, or (None) the default input, else the first one with
    enough channels (JACK preferred). DeviceError names what was asked and what exists."""
    devs = list_devices()
    if not devs:
        raise DeviceError(f"no audio interfaces found: is the interface connected?{_jack_hint()}")

    def fits(d: dict) -> bool:
        return d["inputs"] >= inputs and d["outputs"] >= outputs

    if device is not None and str(device).strip().lstrip("-").isdigit():
        matches = [d for d in devs if d["index"] == int(device)]
    elif device is not None:
        key = str(device).lower()
        matches = [d for d in devs if key in f"{d['name']} {d['hostapi']}".lower()]
    else:
        sd = load()
        default = sd.default.device[0]
        matches = [d for d in devs if d["index"] == default and fits(d)]
        matches = matches or sorted((d for d in devs if fits(d)), key=lambda d: d["hostapi"] != JACK_API)
    if not matches:
        names = "; ".join(f"{d['index']}: {d['name']} ({d['hostapi']}, {d['inputs']} in)" for d in devs)
        raise DeviceError(f"no audio interface matches {device!r} with {inputs} inputs and {outputs} outputs "
                          f"(found: {names}){_jack_hint()}")
    d = matches[0]
    if not fits(d):
        raise DeviceError(f"device {d['name']!r} has {d['inputs']} inputs and {d['outputs']} outputs; "
                          f"needs {inputs} and {outputs}")
    return d
