"""``studioflow analyze``: table, --json keys, silence as null, errors exit 2 on one line, --plot writes a PNG."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from signals import pink_noise

from studioflow.cli.main import main


@pytest.fixture
def files(tmp_path):
    noise_path, silence_path = tmp_path / "noise.wav", tmp_path / "silence.wav"
    sf.write(noise_path, pink_noise(4.0, channels=2, seed=9).T, 48000)
    sf.write(silence_path, np.zeros((48000, 2)), 48000)
    return noise_path, silence_path


def run(args, capsys):
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_keys_and_silence_null(files, capsys):
    code, out, _ = run(["analyze", "--json", str(files[0]), str(files[1])], capsys)
    assert code == 0
    reports = json.loads(out)
    assert [r["file"] for r in reports] == [str(f) for f in files]
    for key in ("duration_s", "sample_rate", "channels", "integrated_lufs", "loudness_range_lu", "true_peak_dbtp",
                "sample_peak_dbfs", "momentary_max_lufs", "short_term_max_lufs", "plr_db", "dc_offset",
                "clipped_samples", "correlation"):
        assert key in reports[0]
    assert isinstance(reports[0]["integrated_lufs"], float)
    assert reports[1]["integrated_lufs"] is None and len(reports[1]["dc_offset"]) == 2


def test_table(files, capsys):
    code, out, _ = run(["analyze", str(files[0])], capsys)
    assert code == 0 and "integrated" in out and "LUFS" in out


def test_bad_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    code, _, err = run(["analyze", str(bad)], capsys)
    assert code == 2
    assert err.startswith("studioflow: error:") and err.count("\n") == 1


def test_plot_writes_png(files, tmp_path, capsys):
    out_png = tmp_path / "loud.png"
    code, _, _ = run(["analyze", str(files[0]), "--plot", str(out_png)], capsys)
    assert code == 0
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help_has_an_example_and_import_is_light():
    code = ("import sys; import studioflow.cli.analyze; "
            "print(sorted(m for m in ('scipy', 'numba', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    help_text = subprocess.run([sys.executable, "-m", "studioflow.cli.main", "analyze", "--help"],
                               capture_output=True, text=True).stdout
    assert "Example" in help_text and "studioflow analyze" in help_text


def test_several_files_print_one_row_each(files, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(["analyze", str(files[0]), str(files[1])], capsys)
    assert code == 0
    rows = [line for line in out.splitlines() if "noise.wav" in line or "silence.wav" in line]
    assert len(rows) == 2
    assert "-" in rows[1].split("silence.wav")[1]  # silence: no integrated loudness


def test_analyze_as_a_whole_process_imports_no_numba_scipy_or_matplotlib(files):
    """The fixed cost of `analyze`: compiled kernels, no JIT compiler, no scipy.fft package, no plotting."""
    entry = "import sys; from studioflow.cli.main import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", entry, "analyze", str(files[0]), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    names = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    assert "studioflow" in names and "numpy" in names                # the import really was traced
    assert not names & {"numba", "scipy", "matplotlib", "llvmlite"}, sorted(names)
    assert json.loads(done.stdout)[0]["integrated_lufs"] is not None


def test_jobs_measure_files_in_parallel_with_the_same_results_in_order(files, tmp_path, capsys):
    many = [files[0], files[1], files[0], files[1], files[0]]
    _, one_by_one, _ = run(["analyze", "--json", "--jobs", "1", *map(str, many)], capsys)
    code, parallel, _ = run(["analyze", "--json", "-j", "3", *map(str, many)], capsys)
    assert code == 0 and parallel == one_by_one
    assert [r["file"] for r in json.loads(parallel)] == [str(f) for f in many]
