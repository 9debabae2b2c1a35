"""Targets and styles: the published numbers, lookups, overrides and the --style grammar."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from studioflow.errors import ParameterError
from studioflow.mastering.styles import CURVES, curve_db, parse_style
from studioflow.mastering.targets import TARGETS, get_target, resolve_target

ISSUE_TABLE = {"spotify": (-14, -1), "apple-music": (-16, -1), "youtube": (-14, -1), "amazon-music": (-14, -2),
               "tidal": (-14, -1), "deezer": (-15, -1), "soundcloud": (-14, -1), "cd": (-9, -0.3),
               "ebu-r128": (-23, -1), "atsc-a85": (-24, -2), "podcast": (-16, -1), "aes-td1008": (-16, -1)}


def test_every_target_has_its_numbers_source_and_note():
    assert {n: (t.lufs, t.ceiling_dbtp) for n, t in TARGETS.items()} == ISSUE_TABLE
    for t in TARGETS.values():
        assert t.source and t.note and "\n" not in t.note


def test_lookup_is_case_insensitive_and_unknown_names_are_listed():
    assert get_target("Spotify").lufs == -14
    with pytest.raises(ParameterError, match="known targets: spotify"):
        get_target("myspace")


def test_numbers_override_a_named_target():
    t = resolve_target("apple-music", ceiling_dbtp=-2.0)
    assert (t.lufs, t.ceiling_dbtp, t.name) == (-16.0, -2.0, "custom")
    with pytest.raises(ParameterError, match="ceiling"):
        resolve_target(None, ceiling_dbtp=1.0)


def test_style_grammar():
    style, curve = parse_style("loud,edm")
    assert (style.name, curve) == ("loud", "edm")
    assert parse_style(None)[0].name == "balanced" and parse_style("rock") [1] == "rock"
    with pytest.raises(ParameterError, match="unknown --style"):
        parse_style("shiny")


def test_curves_are_zero_at_1k_and_interpolate_on_log_frequency():
    for name, pts in CURVES.items():
        assert curve_db(name, np.array([1000.0]))[0] == 0.0
        f = np.array([pts[3][0], pts[4][0]])
        mid = curve_db(name, np.sqrt(f[:1] * f[1:]))[0]
        assert mid == pytest.approx((pts[3][1] + pts[4][1]) / 2)


def test_targets_command_prints_json_and_a_table():
    from studioflow.cli.mastering import targets

    res = CliRunner().invoke(targets, ["--json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert [d["name"] for d in data] == list(ISSUE_TABLE)
    res = CliRunner().invoke(targets, [])
    assert res.exit_code == 0 and "atsc-a85" in res.output
