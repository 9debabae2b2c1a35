from catalog_checks import loudness_and_peak
from catalog_songs import make_song

from studioflow.catalog.tasks import run_song
from studioflow.mastering.manifest import sha256_file
from studioflow.mastering.targets import resolve_target


def _spec(command, path, out, **options):
    return {"command": command, "path": str(path), "name": path.stem, "out_dir": str(out),
            "target": resolve_target("spotify").as_dict(), "options": options, "title": None, "isrc": None}


def test_analyze_measures_and_warns_without_writing(tmp_path):
    src = make_song(tmp_path / "hot.wav", 3.0, -9.0, seed=3, overs_db=1.0)
    out = tmp_path / "job"
    out.mkdir()
    row = run_song(_spec("analyze", src, out))
    assert row["status"] == "done" and row["outputs"] == []
    lufs, peak = loudness_and_peak(src)
    assert abs(row["before"]["integrated_lufs"] - lufs) < 0.2 and row["before"]["true_peak_dbtp"] > 0
    assert any("over the -1 dBTP ceiling" in w for w in row["warnings"])
    assert any("LU from the -14 LUFS target" in w for w in row["warnings"])
    assert list(out.iterdir()) == []


def test_translation_writes_its_record(tmp_path):
    src = make_song(tmp_path / "song.wav", 3.0, -14.0, seed=4)
    out = tmp_path / "job"
    out.mkdir()
    row = run_song(_spec("translation", src, out, systems=["phone"], codec="mp3", kbps=128))
    assert row["status"] == "done"
    assert row["outputs"] == [{"path": "song.translation.json",
                               "sha256": sha256_file(out / "song.translation.json")}]
    assert any(w.startswith("phone speaker:") for w in row["warnings"])


def test_a_bad_file_fails_its_row_in_one_line(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 4)
    out = tmp_path / "job"
    out.mkdir()
    row = run_song(_spec("normalize", bad, out))
    assert row["status"] == "failed"
    assert "broken.wav" in row["error"] and "\n" not in row["error"]
    assert list(out.iterdir()) == []


def test_master_delivers_tagged_files_on_target(tmp_path):
    import mutagen

    src = make_song(tmp_path / "mix.wav", 4.0, -20.0, seed=5)
    out = tmp_path / "job"
    out.mkdir()
    spec = {**_spec("master", src, out, style=None, max_limiting_db=None, formats=["flac"]),
            "title": "First Song", "isrc": "GB-ABC-25-00001"}
    row = run_song(spec)
    assert row["status"] == "done", row.get("error")
    assert [o["path"] for o in row["outputs"]] == ["mix.wav", "mix.flac", "mix.json"]
    assert all(sha256_file(out / o["path"]) == o["sha256"] for o in row["outputs"])
    lufs, peak = loudness_and_peak(out / "mix.wav")
    assert abs(lufs - -14.0) <= 0.5 and peak <= -1.0
    assert mutagen.File(out / "mix.flac")["title"] == ["First Song"]


def test_a_task_that_fails_outright_fails_its_row(tmp_path):
    from distributed import Client, as_completed

    from studioflow.catalog.run import task_result

    spec = {**_spec("normalize", tmp_path / "a.wav", tmp_path), "command": "no-such-command"}
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as client:
        futures = [client.submit(run_song, spec, pure=False)]
        ((_, result),) = [pair for batch in as_completed(futures, with_results=True, raise_errors=False).batches()
                          for pair in batch]
    row = task_result(result)
    assert row == {"status": "failed", "error": "internal error (KeyError: 'no-such-command')"}
