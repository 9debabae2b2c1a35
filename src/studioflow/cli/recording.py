"""The recording engineer's commands: devices, record, takes, recover, check, comp, align."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import click

from studioflow.cli.format import terminal
from studioflow.errors import ParameterError


def _ints(text: str | None, what: str) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"{what} {text!r}: expected numbers separated by commas, e.g. 1,2") from None


def _song_tempo(song_dir: Path) -> float | None:
    """The tempo (BPM) from ``song.yaml`` when the song has one."""
    from studioflow.audio.yamlfile import load_plain

    path = song_dir / "song.yaml"
    if not path.exists():
        return None
    data = load_plain(path, "song file") or {}
    value = data.get("tempo_bpm", data.get("tempo")) if isinstance(data, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices(as_json: bool) -> None:
    """List the audio interfaces: index, name, host API, inputs, outputs, default rate.

    \b
    Example:
      studioflow devices
    """
    from studioflow.recording import devices as dev

    rows = dev.list_devices()
    if as_json:
        click.echo(json.dumps({"portaudio": dev.library(), "devices": rows}, indent=2))
        return
    if not rows:
        terminal().print("No audio interfaces found. Connect one (or start your audio server, e.g. JACK), "
                         "then run studioflow devices again.")
        return
    from rich.table import Table
    table = Table(title=f"Audio interfaces (PortAudio: {dev.library()})")
    for col in ("index", "name", "host API", "inputs", "outputs", "default rate"):
        table.add_column(col)
    for d in rows:
        table.add_row(str(d["index"]), d["name"], d["hostapi"], str(d["inputs"]), str(d["outputs"]),
                      str(d["default_rate"]))
    terminal().print(table)


@click.command()
@click.argument("song_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--track", "tracks", multiple=True, required=True, help="Track name; repeat for several tracks.")
@click.option("--inputs", help="Input channels (1-based), one per track or a pair per track, e.g. 1,2.")
@click.option("--device", help="Interface index or part of its name (see `studioflow devices`).")
@click.option("--rate", default=48000, show_default=True, help="Sample rate, Hz.")
@click.option("--bits", default=24, show_default=True, type=click.Choice(["16", "24", "32"]), help="Bits (32 = float).")
@click.option("--duration", type=float, help="Stop after this many seconds (else Enter or Ctrl-C).")
@click.option("--count-in", "count_in", default=0, show_default=True, help="Bars of click before recording.")
@click.option("--tempo", type=float, help="Tempo, BPM, for the click (default: song.yaml's tempo_bpm).")
@click.option("--click-output", type=int, help="Output channel (1-based) for a click during the take.")
@click.option("--punch", nargs=2, type=float, metavar="IN OUT", help="Punch-in: keep only song time IN..OUT (s).")
@click.option("--play", type=click.Path(dir_okay=False, path_type=Path), help="Mix to play while recording.")
def record(song_dir: Path, tracks: tuple[str, ...], inputs: str | None, device: str | None, rate: int, bits: str,
           duration: float | None, count_in: int, tempo: float | None, click_output: int | None,
           punch: tuple[float, float] | None, play: Path | None) -> None:
    """Record one or more tracks at once into new takes of SONG_DIR (takes/<track>/take-NNN.wav).

    Audio goes to disk continuously and the file stays valid as it grows, so a crash loses at most half a second
    (`studioflow recover` finishes such takes). Live meters show peak, RMS, peak hold and clips.

    \b
    Examples:
      studioflow record song/ --track vocal --inputs 1 --duration 60
      studioflow record song/ --track kick_in --track kick_out --inputs 1,2 --count-in 2 --tempo 120
      studioflow record song/ --track vocal --punch 12.5 20 --play song/mix.wav --count-in 1
    """
    from studioflow.recording.capture import Recorder, plan_inputs
    from studioflow.recording.meters import MeterDisplay

    if punch and not play:
        raise ParameterError("--punch needs --play MIX (the mix to play up to the punch-in)")
    mix = None
    if play:
        from studioflow.audio.files import read
        mix = read(play)
    rec = Recorder(song_dir, plan_inputs(list(tracks), _ints(inputs, "--inputs")), device=device, rate=rate,
                   bits=int(bits), duration_s=duration, count_in_bars=count_in,
                   tempo_bpm=tempo or _song_tempo(song_dir),
                   click_output=click_output, punch_s=punch if punch else None, play=mix)
    rec.start()
    err = sys.stderr
    print(f"recording take {rec.number:03d} of {', '.join(tracks)} from {rec.device['name']} "
          f"({rec.device['hostapi']}) at {rate} Hz/{bits}-bit"
          + ("" if duration or punch else "; press Enter or Ctrl-C to stop"), file=err, flush=True)
    if sys.stdin.isatty() and not duration and not punch:
        def stop_on_enter() -> None:
            sys.stdin.readline()
            rec.done.set()

        threading.Thread(target=stop_on_enter, daemon=True).start()
    try:
        with MeterDisplay(rec.meters, stream=err) as display:
            while not rec.wait(0.1):
                display.show(rec.elapsed_s, "COUNT-IN" if rec.in_count_in else "REC")
    except KeyboardInterrupt:
        print("stopping...", file=err)
    entries = rec.finish()
    if not entries:
        print("nothing recorded (stopped during the count-in)", file=err)
    for e in entries:
        probs = e.get("check", {}).get("problems", [])
        print(f"{e['id']}: {e['duration_s']:.1f} s, xruns {e['xruns']}, {e.get('check', {}).get('advice', '')}"
              + "".join(f"\n  ! {p}" for p in probs))


@click.command()
@click.argument("song_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--rate", "ratings", nargs=2, multiple=True, metavar="TAKE STARS", help="Rate a take 0..5.")
@click.option("--comment", "comments", nargs=2, multiple=True, metavar="TAKE TEXT", help="Comment a take.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def takes(song_dir: Path, ratings: tuple, comments: tuple, as_json: bool) -> None:
    """List the takes of SONG_DIR; rate and comment them.

    TAKE is `track/take-NNN` or `track:N` (vocal/take-003 and vocal:3 are the same take).

    \b
    Examples:
      studioflow takes song/
      studioflow takes song/ --rate vocal:3 4 --comment vocal:3 "great chorus, pitchy verse"
    """
    from studioflow.recording import takes as tk

    for take, stars in ratings:
        try:
            value = int(stars)
        except ValueError:
            raise ParameterError(f"--rate {take} {stars!r}: stars must be a number 0..5") from None
        tk.update(song_dir, take, rating=value)
    for take, text in comments:
        tk.update(song_dir, take, comment=text)
    entries = tk.load(song_dir)
    if as_json:
        click.echo(json.dumps(entries, indent=2, default=str))
        return
    if not entries:
        terminal().print(f"no takes in {song_dir} yet: record some with studioflow record {song_dir} --track NAME, "
                         "or import stems with studioflow add-song")
        return
    from rich.table import Table
    table = Table(title=f"Takes of {song_dir}")
    for col in ("take", "date", "s", "inputs", "rate/bits", "xruns", "check", "rating", "comment"):
        table.add_column(col)
    for e in entries:
        check = e.get("check") or {}
        n = len(check.get("problems", []))
        peak = check.get("peak_dbfs")
        table.add_row(e["id"] + (" (recovered)" if e.get("recovered") else ""), str(e.get("date") or ""),
                      f"{e.get('duration_s', 0):.1f}", ",".join(map(str, e.get("inputs") or [])),
                      "/".join(str(e[k]) for k in ("rate", "bits") if e.get(k) is not None),
                      "" if e.get("xruns") is None else str(e["xruns"]),
                      ("" if peak is None else f"{peak} dBFS") + (f", {n} problem(s)" if n else ""),
                      "*" * int(e.get("rating") or 0), e.get("comment") or "")
    terminal().print(table)


@click.command()
@click.argument("song_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def recover(song_dir: Path) -> None:
    """Repair takes whose recording was interrupted (crash, kill, power cut) and add them to takes.yaml.

    \b
    Example:
      studioflow recover song/
    """
    from studioflow.recording.recover import recover as run

    done = run(song_dir)
    if not done:
        click.echo("no interrupted takes")
    for d in done:
        click.echo(f"{d['file']}: {d['action']}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--group", "groups", multiple=True, help="Files recorded together, comma-separated (repeatable).")
@click.option("--overwrite", is_flag=True, help="Replace a check.json that is already there.")
def check(paths: tuple[Path, ...], as_json: bool, groups: tuple[str, ...], overwrite: bool) -> None:
    """Check takes for level, clipping, DC, noise, hum, dropouts, and polarity/offset between mics.

    PATHS is a song folder (its takes), a folder of WAV files, or files. The report is written as check.json
    (in SONG_DIR/takes/, or beside the files).

    \b
    Examples:
      studioflow check song/
      studioflow check stems/ --json
      studioflow check a.wav b.wav --group a.wav,b.wav
    """
    from studioflow.cli.outputs import check_file
    from studioflow.recording.checks import check_takes, find_files

    source = paths[0] if len(paths) == 1 and paths[0].is_dir() else list(paths)
    from studioflow.cli.progress import progress_bar

    if isinstance(source, Path):
        out = source / "takes" / "check.json" if (source / "takes").is_dir() else source / "check.json"
    else:
        out = Path(paths[0]).parent / "check.json"
    check_file(out, inputs=find_files(source), overwrite=overwrite)
    explicit = [[Path(p) for p in g.split(",")] for g in groups] or None
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("checking", total=1.0)
        report = check_takes(source, groups=explicit, report_path=out,
                             progress=lambda stage, f: bar.update(task, description=stage, completed=f))
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    from rich.table import Table

    from studioflow.recording.checks import group_problems

    table = Table(title="Input check")
    for col in ("take", "peak", "rms", "noise floor", "SNR", "advice"):
        table.add_column(col)
    for t in report["takes"]:
        floor = t["noise_floor_dbfs"]
        table.add_row(t["name"], f"{t['peak_dbfs']:.1f}", f"{t['rms_dbfs']:.1f}",
                      "not measurable" if floor is None else f"{floor:.0f}",
                      "" if t["snr_db"] is None else f"{t['snr_db']:.0f} dB", t["advice"])
    con = terminal()
    con.print(table)
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for g in group_problems(report["problems"]):
        at = f" at {g['time_s']:.3f} s" if g["count"] == 1 and g["time_s"] else ""
        con.print(f"[{colours[g['severity']]}]{g['severity']}[/] {Path(g['file']).name}{at}: {g['message']}")
    if any(g["count"] > 1 for g in group_problems(report["problems"])):
        con.print("every instance with its time is in the report")
    con.print(f"report: {out}")


@click.command()
@click.argument("song_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--track", required=True, help="The track to comp.")
@click.option("--plan", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML list of segments: [{take: 3, from: 0, to: 12.5}, {take: 5, from: 12.5, to: 30}] (s).")
@click.option("--crossfade-ms", default=10.0, show_default=True, help="Crossfade length at each boundary, ms.")
def comp(song_dir: Path, track: str, plan: Path, crossfade_ms: float) -> None:
    """Build a comp of TRACK from segments of several takes (equal-power crossfades at quiet points).

    Writes takes/<track>/comp-vNNN.wav (versioned) and comp.wav, a link to the newest.

    \b
    Example:
      studioflow comp song/ --track vocal --plan comp.yaml
    """
    from studioflow.recording.comp import comp as run

    print_comp(run(song_dir, track, plan, crossfade_ms=crossfade_ms))


def print_comp(r: dict) -> None:
    """Print a comp's record: its file, length and where it cuts into each take."""
    click.echo(f"{r['file']} ({r['duration_s']:.2f} s); {r['latest']} points to it")
    for b in r["boundaries"]:
        click.echo(f"  cut into take {b['into_take']} at {b['at_s']:.4f} s (planned {b['planned_s']} s)")


@click.command()
@click.argument("song_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ref", required=True, help="Reference track (e.g. kick_in).")
@click.option("--tracks", required=True, help="Tracks to align to it, comma-separated.")
@click.option("--take", type=int, help="Take number to use on every track (default: each track's latest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def align(song_dir: Path, ref: str, tracks: str, take: int | None, as_json: bool) -> None:
    """Align mics in time and polarity to a reference track; write aligned copies and print session settings.

    delay_ms is the shift to apply to the track (negative = earlier); polarity is normal or inverted.

    \b
    Example:
      studioflow align song/ --ref kick_in --tracks kick_out,overheads
    """
    import yaml

    from studioflow.recording.align import align as run

    r = run(song_dir, ref, [t.strip() for t in tracks.split(",") if t.strip()], take=take)
    if as_json:
        click.echo(json.dumps(r, indent=2, default=str))
        return
    for name, t in r["tracks"].items():
        click.echo(f"{t['take']}: {t['delay_ms']:+.3f} ms vs {r['reference']}, correlation {t['correlation']:+.2f}"
                   f"{', polarity inverted' if t['polarity_inverted'] else ''}, "
                   f"shifted {t['applied_shift_samples']:+.3f} samples -> {t['aligned_file']}")
    click.echo("session settings (instead of the aligned copies):")
    click.echo(yaml.safe_dump({"tracks": r["session"]}, sort_keys=False).rstrip())
