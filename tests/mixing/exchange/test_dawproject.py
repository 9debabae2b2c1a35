"""DAWproject 1.0: the archive's structure checked against the format's documentation (bitwig/dawproject:
Project.xsd and MetaData.xsd, read there, not copied here), and export -> import -> render nulls."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from exchange_helpers import null_dbfs

from studioflow.errors import SessionError
from studioflow.mixing import load_session, render
from studioflow.mixing.exchange import export_session, import_session

#: what the documentation allows, in the order it allows it
PROJECT_CHILDREN = ["Application", "Transport", "Structure", "Arrangement", "Scenes"]
CHANNEL_CHILDREN = ["Devices", "Mute", "Pan", "Sends", "Volume"]
SEND_CHILDREN = ["Enable", "Pan", "Volume"]
METADATA_CHILDREN = ["Title", "Artist", "Album", "OriginalArtist", "Composer", "Songwriter", "Producer", "Arranger",
                     "Year", "Genre", "Copyright", "Website", "Comment"]
UNITS = {"linear", "normalized", "percent", "decibel", "hertz", "semitones", "seconds", "beats", "bpm"}
ROLES = {"regular", "master", "effect", "submix", "vca"}
CONTENT_TYPES = {"audio", "automation", "notes", "video", "markers", "tracks"}


def in_order(children: list[ET.Element], allowed: list[str]) -> bool:
    """True when every child is allowed and they come in the allowed order."""
    ranks = [allowed.index(c.tag) if c.tag in allowed else -1 for c in children]
    return -1 not in ranks and ranks == sorted(ranks)


def check_structure(archive: Path) -> ET.Element:
    """Assert the archive is a DAWproject as documented; return its project."""
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert {"project.xml", "metadata.xml"} <= names
        project = ET.fromstring(zf.read("project.xml"))
        meta = ET.fromstring(zf.read("metadata.xml"))
    assert project.tag == "Project" and project.get("version") == "1.0"
    assert in_order(list(project), PROJECT_CHILDREN) and project[0].tag == "Application"
    assert project[0].get("name") and project[0].get("version")
    assert meta.tag == "MetaData" and in_order(list(meta), METADATA_CHILDREN)
    ids = [e.get("id") for e in project.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids))                                     # xs:ID: unique
    for e in project.iter():
        for ref in ("destination", "track", "parameter"):                # xs:IDREF: resolve
            if e.get(ref) is not None:
                assert e.get(ref) in ids, f"{e.tag} {ref}={e.get(ref)} points nowhere"
        if e.get("unit") is not None and e.tag not in ("Points",):
            assert e.get("unit") in UNITS and e.get("value") is not None
    for track in project.iter("Track"):
        assert set(track.get("contentType", "").split()) <= CONTENT_TYPES
    for channel in project.iter("Channel"):
        assert in_order(list(channel), CHANNEL_CHILDREN) and channel.get("role") in ROLES
        for send in channel.iter("Send"):
            assert in_order(list(send), SEND_CHILDREN) and send.find("Volume") is not None
            assert send.get("type") in ("pre", "post")
    for clip in project.iter("Clip"):
        assert clip.get("time") is not None and len(clip) <= 1
        for audio in clip.iter("Audio"):
            assert {"channels", "sampleRate", "duration"} <= set(audio.attrib)
            assert audio.find("File").get("path") in names
    for points in project.iter("Points"):
        assert points[0].tag == "Target"
        assert all(p.tag == "RealPoint" and {"time", "value"} <= set(p.attrib) for p in points[1:])
    for marker in project.iter("Marker"):
        assert marker.get("time") is not None
    lanes = project.find("Arrangement/Lanes")
    assert lanes is not None and lanes.get("timeUnit") in ("seconds", "beats")
    return project


def test_the_archive_follows_the_documented_structure(song: Path, tmp_path: Path) -> None:
    report = export_session(song, "dawproject", tmp_path / "song.dawproject")
    project = check_structure(tmp_path / "song.dawproject")
    roles = {c.get("name"): c.get("role") for c in project.iter("Channel")}
    assert roles == {"tone": "regular", "noise": "regular", "flipped": "regular", "muted": "regular",
                     "verb": "effect", "group": "submix", "Master": "master"}
    unmapped = {i["key"] for i in report["items"] if i["status"] == "unmapped"}
    # no clip gain, no polarity switch and no gain device in the format
    assert unmapped == {"tracks[0].regions[0]", "tracks[2].polarity", "tracks[1].inserts[0]", "buses[1].inserts[0]"}


def test_round_trip_renders_the_same(song: Path, tmp_path: Path) -> None:
    text = song.read_text().replace(", gain_db: -2}", "}").replace("    polarity: inverted\n", "")
    text = text.replace("    inserts: [{type: gain, gain_db: -4}]\n", "")
    text = text.replace("    inserts: [{type: gain, gain_db: 3}]\n", "")
    song.write_text(text)                    # only what DAWproject carries
    export_session(song, "dawproject", tmp_path / "song.dawproject")
    report = import_session(tmp_path / "song.dawproject", tmp_path / "back.yaml")
    assert report["unmapped"] == 0
    assert (tmp_path / "back-audio" / "tone.wav").exists()
    back = load_session(tmp_path / "back.yaml")
    assert [b.name for b in back.buses] == ["verb", "group"] and back.strip(name="noise").output == "group"
    render(load_session(song), tmp_path / "a.wav", meter=False)
    render(back, tmp_path / "b.wav", meter=False)
    a = sf.read(tmp_path / "a.wav", dtype="float64")[0]
    b = sf.read(tmp_path / "b.wav", dtype="float64")[0]
    assert np.max(np.abs(a)) > 0.1
    assert null_dbfs(a, b) < -60.0


def test_a_broken_archive_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dawproject"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SessionError, match="not a zip file"):
        import_session(bad, tmp_path / "x.yaml")
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.xml", '<Project version="1.0"><Application name="x" version="1"/><Structure>'
                                   '<Track id="t" name="a" contentType="audio"><Channel id="c" role="regular"/>'
                                   '</Track></Structure><Arrangement>'
                                   '<Lanes timeUnit="seconds"><Lanes track="t"><Clips><Clip time="0" duration="1">'
                                   '<Audio channels="1" sampleRate="48000" duration="1"><File path="../../etc/x.wav"/>'
                                   '</Audio></Clip></Clips></Lanes></Lanes></Arrangement></Project>')
    with pytest.raises(SessionError, match="outside the archive"):
        import_session(bad, tmp_path / "y.yaml")
    assert not (tmp_path / "y.yaml").exists()


def test_eq_and_dynamics_go_to_the_built_in_devices_and_come_back(song: Path, tmp_path: Path) -> None:
    inserts = ("    inserts:\n"
               "      - {type: eq, bands: [{type: highpass, freq: 90, slope: 24}, {type: peak, freq: 2500, gain_db: -3,"
               " q: 2}, {type: highshelf, freq: 8000, gain_db: 2}]}\n"
               "      - {type: compressor, threshold_db: -18, ratio: 3, attack_ms: 5, release_ms: 80, makeup_db: 2,"
               " knee_db: 3}\n"
               "      - {type: gate, threshold_db: -50, range_db: 40}\n"
               "      - {type: limiter, ceiling_dbtp: -1.5, release_ms: 50}\n"
               "      - {type: reverb}\n")
    song.write_text(song.read_text().replace("    gain_db: -12\n", "    gain_db: -12\n" + inserts))
    report = export_session(song, "dawproject", tmp_path / "fx.dawproject")
    status = {i["key"]: (i["status"], i["note"]) for i in report["items"]}
    assert [status[f"tracks[2].inserts[{k}]"][0] for k in range(5)] == ["converted"] * 4 + ["unmapped"]
    assert "knee_db" in status["tracks[2].inserts[1]"][1]                  # what the device has no place for
    project = check_structure(tmp_path / "fx.dawproject")
    devices = [d.tag for d in project.iter("Channel") if d.get("name") == "flipped" for d in d.find("Devices")]
    assert devices == ["Equalizer", "Compressor", "NoiseGate", "Limiter"]
    import_session(tmp_path / "fx.dawproject", tmp_path / "fx.yaml")
    back = load_session(tmp_path / "fx.yaml").strip(name="flipped").inserts
    assert [i.type for i in back] == ["eq", "compressor", "gate", "limiter"]
    assert back[0].params["bands"] == [{"type": "highpass", "freq": 90.0, "slope": 24},
                                       {"type": "peak", "freq": 2500.0, "gain_db": -3.0, "q": 2.0},
                                       {"type": "highshelf", "freq": 8000.0, "gain_db": 2.0}]
    assert back[1].params == pytest.approx({"threshold_db": -18.0, "ratio": 3.0, "attack_ms": 5.0,
                                            "release_ms": 80.0, "makeup_db": 2.0})
    assert back[2].params["range_db"] == 40.0 and back[3].params["ceiling_dbtp"] == -1.5
