import json

import pytest

from studioflow.catalog.inputs import Item
from studioflow.catalog.job import Job, output_names
from studioflow.errors import ParameterError
from studioflow.mastering.manifest import sha256_file
from studioflow.mastering.targets import resolve_target


def _items(tmp_path, names):
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_bytes(n.encode())
    return [Item(tmp_path / n) for n in names]


def _finish(job, folder):
    """Mark every pending row done with one output, as a worker would."""
    for row in job.rows:
        if row["status"] == "pending":
            out = folder / f"{row['name']}.wav"
            out.write_bytes(row["sha256"].encode())
            row.update(status="done", outputs=[{"path": out.name, "sha256": sha256_file(out)}])
    job.save()


def test_output_names_are_distinct():
    from pathlib import Path

    items = [Item(Path("a/song.wav")), Item(Path("b/song.wav")), Item(Path("catalog.wav")), Item(Path("x.wav"))]
    assert output_names(items, ["1111aaaa99", "2222bbbb99", "3333cccc99", "4444"]) == [
        "song-1111aaaa", "song-2222bbbb", "catalog-3333cccc", "x"]


def test_a_rerun_keeps_only_intact_done_rows(tmp_path):
    src, out = tmp_path / "in", tmp_path / "job"
    out.mkdir()
    items = _items(src, ["a.wav", "b.wav", "c.wav"]) + [Item(src / "gone.wav")]
    spotify = resolve_target("spotify")
    job = Job(out, "normalize")
    rows = job.plan(items, [spotify] * 4, {})
    assert [r["status"] for r in rows] == ["pending", "pending", "pending", "failed"]
    assert "no such file" in rows[3]["error"]
    _finish(job, out)
    saved = json.loads((out / "catalog.json").read_text())
    assert saved["summary"]["done"] == 3 and saved["summary"]["failed"] == 1
    assert (out / "catalog.csv").read_text().splitlines()[0].startswith("n,path,title,isrc,sha256,status")

    (src / "b.wav").write_bytes(b"new content")           # changed input
    (out / "c.wav").write_bytes(b"damaged output")         # output changed since
    again = Job(out, "normalize").plan(items, [spotify] * 4, {})
    assert [r["status"] for r in again] == ["done", "pending", "pending", "failed"]
    assert again[0]["resumed"] and not again[1]["resumed"]

    other_target = Job(out, "normalize").plan(items, [resolve_target("apple-music")] * 4, {})
    assert [r["status"] for r in other_target][:3] == ["pending"] * 3


def test_a_folder_holds_one_command(tmp_path):
    out = tmp_path / "job"
    out.mkdir()
    job = Job(out, "analyze")
    job.plan(_items(tmp_path, ["a.wav"]), [resolve_target("spotify")], {})
    job.save()
    with pytest.raises(ParameterError, match="holds a `batch analyze` job"):
        Job(out, "normalize")


def test_a_manifest_target_is_a_platform_or_lufs(tmp_path):
    from studioflow.catalog.run import item_target
    from studioflow.errors import SessionError

    base = resolve_target("spotify")
    assert item_target(Item(tmp_path / "a.wav"), base) is base
    assert item_target(Item(tmp_path / "a.wav", target="apple-music"), base).lufs == -16.0
    assert (item_target(Item(tmp_path / "a.wav", target="-18.5"), base).lufs, base.ceiling_dbtp) == (-18.5, -1.0)
    with pytest.raises(SessionError, match=r"list.csv:4: target loudness must be from -40 to -3 LUFS"):
        item_target(Item(tmp_path / "a.wav", target="-50", where="list.csv:4"), base)
    with pytest.raises(SessionError, match=r"list.csv:5: unknown mastering target 'radio'"):
        item_target(Item(tmp_path / "a.wav", target="radio", where="list.csv:5"), base)
