"""VST3 host: Debian ships no VST3 plugin, so these tests check the errors and the missing-extra message."""

import builtins

import pytest

from studioflow.dsp.plugins.vst3 import Vst3Plugin
from studioflow.dsp.registry import create
from studioflow.errors import PluginError


def test_missing_file(tmp_path):
    with pytest.raises(PluginError, match="not found"):
        create("vst3", 48000, path=tmp_path / "Nope.vst3")


def test_a_file_that_is_not_a_plugin(tmp_path):
    pytest.importorskip("pedalboard")
    fake = tmp_path / "Fake.vst3"
    fake.write_text("not a plugin")
    with pytest.raises(PluginError) as err:
        Vst3Plugin(48000, path=fake)
    assert "could not be loaded" in str(err.value) and "\n" not in str(err.value)


def test_without_pedalboard_says_how_to_install_the_extra(tmp_path, monkeypatch):
    fake = tmp_path / "Fake.vst3"
    fake.write_text("")
    real_import = builtins.__import__

    def no_pedalboard(name, *args, **kwargs):
        if name == "pedalboard":
            raise ImportError("No module named 'pedalboard'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pedalboard)
    with pytest.raises(PluginError, match=r"studioflow\[plugins\]"):
        Vst3Plugin(48000, path=fake)
