"""The docstring examples of the audio floor run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import tempfile

import pytest

MODULES = ["files", "stream", "atomic", "resample", "encode", "tags"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the examples' mkdtemp() lands in tmp_path
    module = importlib.import_module(f"studioflow.audio.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    if name != "tags":  # tags' examples need real release files: shown, not run
        assert result.attempted > 0
