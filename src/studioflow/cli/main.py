"""The ``studioflow`` command: a group whose subcommands are imported only when run, so start-up stays light."""

from __future__ import annotations

import contextlib
import errno
import importlib
import logging
import signal
import sys
import warnings
from typing import Any

import click

from studioflow import __version__
from studioflow.errors import StudioflowError

# command name -> ("module:function", one-line help shown in `studioflow --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    # analysis
    "analyze": ("studioflow.cli.analyze:analyze", "Measure loudness, peaks and problems of audio files."),
    # recording engineer
    "devices": ("studioflow.cli.recording:devices", "List the audio interfaces."),
    "record": ("studioflow.cli.recording:record", "Record takes from an audio interface."),
    "takes": ("studioflow.cli.recording:takes", "List, rate and comment takes."),
    "recover": ("studioflow.cli.recording:recover", "Recover takes whose recording was interrupted."),
    "check": ("studioflow.cli.recording:check", "Check takes for clipping, noise, hum, DC and phase."),
    "comp": ("studioflow.cli.recording:comp", "Build a comp from segments of several takes."),
    "align": ("studioflow.cli.recording:align", "Align mics in time and polarity to a reference track."),
    "room": ("studioflow.cli.room:room", "Measure the room: decay per octave, modes, reflections, advice."),
    "plan": ("studioflow.cli.plan:plan", "Plan a session: input list, mics, format, what to record together."),
    # mixing engineer
    "mix": ("studioflow.cli.mixing:mix", "Render a session to a mix (and stems)."),
    "automix": ("studioflow.cli.mixjudgment:automix", "Write a first mix session from a folder of stems."),
    "revise": ("studioflow.cli.mixjudgment:revise", "Turn mix notes into session edits."),
    "export": ("studioflow.cli.exchange:export", "Export a mix session to Ardour or DAWproject."),
    "import": ("studioflow.cli.exchange:import_", "Import an Ardour session or a DAWproject as a mix session."),
    # mastering engineer
    "master": ("studioflow.cli.mastering:master", "Master a mix for a platform or a reference."),
    "targets": ("studioflow.cli.mastering:targets", "Show the loudness targets of the platforms."),
    "album": ("studioflow.cli.release:album", "Master an album and build its delivery package."),
    "translation": ("studioflow.cli.release:translation", "Check how a master translates to other systems."),
    # producer
    "new": ("studioflow.cli.producer:new", "Create a project with its brief."),
    "add-song": ("studioflow.cli.producer:add_song", "Add a song to a project (importing stems)."),
    "approve": ("studioflow.cli.producer:approve", "Approve a song's stage."),
    "produce": ("studioflow.cli.producer:produce", "Run the chain from takes to release."),
    "note": ("studioflow.cli.producer:note", "File a note; it is routed to the role that handles it."),
    "notes": ("studioflow.cli.producer:notes", "List open notes by role."),
    "arrangement": ("studioflow.cli.arrangement:arrangement", "Tempo, sections and arrangement advice for a song."),
    "status": ("studioflow.cli.producer:status", "The project dashboard."),
    "coach": ("studioflow.cli.coach:coach", "Coach takes: pitch, vibrato and drift, timing, best take per phrase."),
    "studio": ("studioflow.cli.studio:studio", "Open the listening room: listen, compare, note, approve."),
    # demo
    "demo": ("studioflow.cli.demo:demo", "Synthesize the demo multitrack song into a folder."),
    "demo-run": ("studioflow.cli.demo:demo_run", "Run the full demo production (what `make demo` runs)."),
    "batch": ("studioflow.cli.batch:batch", "Analyze, normalize, master or check a whole catalog on Dask."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, func = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), func)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="studioflow")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """studioflow: a studio in Python, from raw takes to release-ready masters.

    \b
    Examples:
      studioflow demo song/                 # synthesize the demo multitrack
      studioflow analyze song/stems/*.wav   # loudness, peaks and problems
      studioflow COMMAND --help             # help and examples for one command
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so the same cleanup runs (temporary files go, journals roll
    back)."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


class _OneLine(logging.Handler):
    """Notes from the library (``studioflow`` logger: debris removed, ...) as ``studioflow: ...`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"studioflow: {record.getMessage()}", err=True)


def _setup(debug: bool) -> None:
    """SIGTERM handled like SIGINT; the library's notes shown on stderr; numpy's and matplotlib's warnings (overflow
    on absurd samples, glyphs missing for a file name) left out unless --debug: results and errors say what counts."""
    if not debug:
        warnings.simplefilter("ignore")
    with contextlib.suppress(ValueError):          # not the main thread (an embedding app): leave signals alone
        signal.signal(signal.SIGTERM, _terminate)
    logger = logging.getLogger("studioflow")
    if not any(isinstance(h, _OneLine) for h in logger.handlers):
        logger.addHandler(_OneLine(logging.INFO))
        logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI, turning studioflow errors into one line on stderr and exit code 2 (130 after
    Ctrl-C, 143 after SIGTERM)."""

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    _setup(debug)
    try:
        return cli.main(args=args, prog_name="studioflow", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort as e:       # click's form of Ctrl-C (and of our SIGTERM)
        click.echo("studioflow: interrupted", err=True)
        sys.exit(143 if isinstance(e.__cause__, Terminated) else 130)
    except click.ClickException as e:
        click.echo(f"studioflow: error: {_click_line(e)}", err=True)
        sys.exit(e.exit_code)
    except StudioflowError as e:
        if debug:
            raise
        click.echo(f"studioflow: error: {_one_line(str(e))}", err=True)
        sys.exit(2)
    except OSError as e:  # the file system said no (permissions, a full disk): one line too, not a traceback
        if debug:
            raise
        click.echo(f"studioflow: error: {os_error_line(e)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt as e:
        click.echo("studioflow: interrupted", err=True)
        sys.exit(143 if isinstance(e, Terminated) else 130)
    except (MemoryError, RecursionError) as e:
        if debug:
            raise
        click.echo(f"studioflow: error: the input asks for more than this machine has ({type(e).__name__}); "
                   "check the files given for sizes or nesting far beyond the usual", err=True)
        sys.exit(2)


def _one_line(text: str) -> str:
    """``text`` on one line, with the bytes of file names that are not UTF-8 escaped."""
    from studioflow.cli.outputs import shown

    return shown(" ".join(text.split()))


def _click_line(e: click.ClickException) -> str:
    """A usage error in one line, with the hint to see ``--help``."""
    message = _one_line(e.format_message())
    ctx = getattr(e, "ctx", None)
    if ctx is not None:
        return f"{message} (see `{ctx.command_path} --help`)"
    return message


_OS_HINTS = {errno.EACCES: "check its permissions or choose another place", errno.EPERM: "check its permissions",
             errno.EROFS: "the disk is read-only: choose another place", errno.ENOSPC: "free some disk space, then "
             "run the command again", errno.ENOENT: "check the path"}


def os_error_line(e: OSError) -> str:
    """One line for an OSError: the path, what the system said, what to do next."""
    where = f"{e.filename}: " if e.filename else ""
    hint = _OS_HINTS.get(e.errno or 0)
    return _one_line(f"{where}{(e.strerror or str(e)).lower()}" + (f"; {hint}" if hint else ""))


if __name__ == "__main__":
    main()
