"""The listening room's ASGI app (Starlette): the page, its JSON API, the audio (with HTTP range requests) and the
live events. Every route reads or writes through the producer's functions; see the README's "The listening room"
for the API.
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from studioflow.errors import ParameterError, ProjectLockedError, SessionError, StudioflowError
from studioflow.producer.project import load_project, require_project
from studioflow.producer.stages import ApprovalRefused, approve, check_stage
from studioflow.web import catalog, markers, peaks
from studioflow.web import notes as room_notes
from studioflow.web.access import Access
from studioflow.web.events import Watcher
from studioflow.web.files import NotServed, safe_path
from studioflow.web.guard import ACCESS_KEY, Guard

STATIC = resources.files("studioflow.web") / "static"
_STATUS = ((NotServed, 404), (ProjectLockedError, 423), (ApprovalRefused, 409), (ParameterError, 400),
           (SessionError, 404), (StudioflowError, 400))


def create_app(project_dir: str | Path, access: Access | None = None) -> Guard:
    """The room for the project in ``project_dir`` (SessionError when there is none), behind its access guard."""
    root = require_project(project_dir).parent
    access = access or Access("127.0.0.1")
    watcher = Watcher(root)
    writing = threading.Lock()     # one write at a time: the project lock is re-entrant within this process

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher.start()
        yield
        await watcher.stop()

    def write(action: Callable[[], Any]) -> Any:
        with writing:
            return action()

    async def page(request: Request) -> Response:
        level = request.scope[ACCESS_KEY]
        text = (STATIC / "index.html").read_text(encoding="utf-8")
        text = text.replace("{{token}}", html.escape(access.page_token(level))).replace("{{access}}", level)
        return HTMLResponse(text.replace("{{title}}", html.escape(str(load_project(root).brief.get("title") or ""))))

    def project(request: Request) -> Response:
        return JSONResponse({**catalog.project_view(root), "access": request.scope[ACCESS_KEY]})

    def song(request: Request) -> Response:
        return JSONResponse(catalog.song_view(root, request.path_params["song"]))

    def song_notes(request: Request) -> Response:
        return JSONResponse(room_notes.song_notes(load_project(root).song_dir(request.path_params["song"])))

    async def new_note(request: Request) -> Response:
        body = await _json(request)
        text = room_notes.check_text(body.get("text"), "text")
        at_s = room_notes.check_time(body.get("at"), "at")
        to_s = room_notes.check_time(body.get("to"), "to")
        by = room_notes.check_name(body.get("by"))
        name = request.path_params["song"]
        note = await run_in_threadpool(write, lambda: room_notes.file_at(root, name, text, at_s=at_s, to_s=to_s, by=by))
        return JSONResponse(note, status_code=201)

    async def reply(request: Request) -> Response:
        body = await _json(request)
        text = room_notes.check_text(body.get("text"), "text")
        by = room_notes.check_name(body.get("by"))
        name, note_id = request.path_params["song"], request.path_params["note"]
        return JSONResponse(await run_in_threadpool(write, lambda: room_notes.reply(root, name, note_id, text, by=by)),
                            status_code=201)

    async def done(request: Request) -> Response:
        body = await _json(request)
        by = room_notes.check_name(body.get("by"))
        role = body.get("role") or None
        name, note_id = request.path_params["song"], request.path_params["note"]
        return JSONResponse(await run_in_threadpool(write,
                                                    lambda: room_notes.done(root, name, note_id, by=by, role=role)))

    async def approve_stage(request: Request) -> Response:
        body = await _json(request)
        stage = check_stage(str(body.get("stage")))
        by = room_notes.check_name(body.get("by"))
        if by is None:
            raise ParameterError("by: say who approves (your name)")
        name = request.path_params["song"]
        return JSONResponse(await run_in_threadpool(write, lambda: approve(root, name, stage, by=by)))

    def export_markers(request: Request) -> Response:
        project_ = load_project(root)
        entry = project_.song(request.path_params["song"])
        items = room_notes.song_notes(project_.song_dir(entry["name"]))
        text, media, filename = markers.export(entry["folder"], items, request.query_params.get("format", "csv"))
        return Response(text, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})

    def waveform(request: Request) -> Response:
        try:
            points = int(request.query_params.get("points", "1000"))
        except ValueError:
            raise ParameterError("points: a whole number of slices") from None
        return JSONResponse(peaks.waveform(safe_path(root, request.path_params["path"]), points))

    def audio(request: Request) -> Response:
        return FileResponse(safe_path(root, request.path_params["path"]), headers={"cache-control": "no-cache"})

    async def events(request: Request) -> Response:
        return StreamingResponse(watcher.stream(request.is_disconnected), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

    routes = [
        Route("/", page), Route("/api/project", project), Route("/api/songs/{song}", song),
        Route("/api/songs/{song}/notes", song_notes, methods=["GET"]),
        Route("/api/songs/{song}/notes", new_note, methods=["POST"]),
        Route("/api/songs/{song}/notes/{note:int}/replies", reply, methods=["POST"]),
        Route("/api/songs/{song}/notes/{note:int}/done", done, methods=["POST"]),
        Route("/api/songs/{song}/approve", approve_stage, methods=["POST"]),
        Route("/api/songs/{song}/markers", export_markers),
        Route("/api/peaks/{path:path}", waveform), Route("/audio/{path:path}", audio),
        Route("/api/events", events),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={StudioflowError: _error, OSError: _error})
    guard = Guard(app, access)
    guard.close_streams = watcher.close_streams         # see server.make_server
    return guard


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ParameterError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ParameterError("the request body must be a JSON object")
    return body


async def _error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return JSONResponse({"error": f"{where}{(exc.strerror or str(exc)).lower()}"}, status_code=500)
    status = next(code for kind, code in _STATUS if isinstance(exc, kind))
    return JSONResponse({"error": " ".join(str(exc).split())}, status_code=status)

