"""Export a session file to a DAW format and import one back, writing the mapping report as JSON beside."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from studioflow.errors import OutputError, ParameterError, SessionError, StudioflowError
from studioflow.mixing.exchange.report import MappingReport
from studioflow.mixing.session import load_session

FORMATS = ("ardour", "dawproject")


def report_path(out: Path) -> Path:
    """Where the mapping report of ``out`` goes: ``OUT.exchange.json`` beside it."""
    return out.with_name(out.name + ".exchange.json")


def export_session(session_path: str | os.PathLike[str], to: str, out: str | os.PathLike[str]) -> dict[str, Any]:
    """Export the session file to ``to`` (``ardour``: a session folder ``OUT``; ``dawproject``: an archive
    ``OUT.dawproject``); return the mapping report, also written beside as ``OUT.exchange.json``."""
    from studioflow.audio.atomic import check_output, write_json

    if to not in FORMATS:
        raise ParameterError(f"--to must be one of {', '.join(FORMATS)}; got {to!r}")
    session = load_session(Path(session_path))
    target = Path(out)
    report = MappingReport(to, "export")
    if to == "ardour":
        from studioflow.mixing.exchange.ardour_write import write_ardour

        _check_new(target)
        check_output(report_path(target))
        _folder_atomically(target, lambda tmp: write_ardour(session, tmp, report, target.name))
    else:
        from studioflow.audio.atomic import atomic_write
        from studioflow.mixing.exchange.dawproject import write_dawproject

        if target.suffix != ".dawproject":
            raise ParameterError(f"{target}: a DAWproject archive ends in .dawproject")
        check_output(target, inputs=[session.path])
        with atomic_write(target) as tmp:
            write_dawproject(session, tmp, report)
    result = {"session": str(session.path), "output": str(target), **report.to_dict()}
    write_json(report_path(target), result)
    return result


def import_session(source: str | os.PathLike[str], out: str | os.PathLike[str]) -> dict[str, Any]:
    """Import an Ardour session (its folder or ``.ardour`` file) or a ``.dawproject`` archive as the session file
    ``out`` (a DAWproject's audio is unpacked into ``OUT-audio/`` beside it); return the mapping report, also
    written beside as ``OUT.exchange.json``."""
    from studioflow.audio.atomic import check_output, write_json
    from studioflow.mixing.exchange.common import write_session_yaml

    src = Path(source)
    target = Path(out)
    if not src.exists():
        raise SessionError(f"{src}: no such file or folder")
    check_output(target, inputs=[src])
    dawproject = src.suffix == ".dawproject"
    report = MappingReport("dawproject" if dawproject else "ardour", "import")
    audio_dir = target.with_name(target.stem + "-audio")
    if dawproject:
        _check_new(audio_dir)
    try:
        data = _read(src, dawproject, audio_dir, target.parent, report)
    except StudioflowError:
        raise
    except (ValueError, KeyError, IndexError, AttributeError) as e:    # a value or element the format requires
        raise SessionError(f"{src}: cannot be read: {type(e).__name__}: {e}") from None
    header = (f"imported by studioflow from {src.name}; what did not map is listed in "
              f"{report_path(target).name}")
    write_session_yaml(target, data, [header])
    try:
        load_session(target)             # what we wrote must load: fail here, not at the next mix
    except StudioflowError:
        target.unlink()
        if dawproject:
            shutil.rmtree(audio_dir, ignore_errors=True)
        raise
    result = {"source": str(src), "output": str(target), **report.to_dict()}
    write_json(report_path(target), result)
    return result


def _read(src: Path, dawproject: bool, audio_dir: Path, out_dir: Path, report: MappingReport) -> dict[str, Any]:
    """Session data from an Ardour session or a DAWproject archive."""
    if dawproject:
        from studioflow.mixing.exchange.dawproject import read_dawproject

        return read_dawproject(src, audio_dir, out_dir, report)
    from studioflow.mixing.exchange.ardour_read import read_ardour

    return read_ardour(src, out_dir, report)


def _check_new(folder: Path) -> None:
    if folder.exists() or folder.is_symlink():
        raise OutputError(f"{folder}: already there; choose another name (an export never replaces a folder)")
    if not folder.parent.is_dir():
        raise OutputError(f"{folder}: the folder {folder.parent} does not exist; create it first")


def _folder_atomically(target: Path, build: Any) -> None:
    """Build a folder under a hidden temporary name beside ``target``, then rename it into place."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        build(tmp)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
