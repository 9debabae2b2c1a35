"""The ASGI layer in front of every route: access by token or loopback (see access.py), writes checked for the
comment token and the same origin, request bodies bounded, and headers that keep the page to itself."""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from studioflow.web.access import MAX_BODY_BYTES, TOKEN_HEADER, TOKEN_QUERY, Access, same_origin

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ACCESS_KEY = "studioflow.access"      # where the visitor's level is kept in the request's scope
PUBLIC = "/static/"                   # the page's own script and style: the same for everyone, no project data
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                                         b"frame-ancestors 'none'")]


class Guard:
    """ASGI middleware: refuses what a visitor may not do, with a JSON ``{"error": ...}`` and the right status."""

    #: what the server calls on shutdown to end the open event streams (set by app.py, see server.make_server)
    close_streams: Callable[[], None] | None = None

    def __init__(self, app: Any, access: Access) -> None:
        self.app, self.access = app, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = headers.get(TOKEN_HEADER) or (query.get(TOKEN_QUERY) or [None])[0]
        level = self.access.level(token, headers.get("host", ""))
        method = scope["method"]
        public = method in ("GET", "HEAD") and scope["path"].startswith(PUBLIC)
        if level is None and not public:
            return await _refuse(send, 401, "this listening room needs its link (ask whoever runs studioflow studio "
                                            "for the listen or comment link)")
        if method not in ("GET", "HEAD", "POST"):
            return await _refuse(send, 405, f"{method} is not used here (GET to read, POST to write)")
        if method == "POST":
            if not self.access.may_write(headers.get(TOKEN_HEADER)):
                why = ("this is a listen-only link: ask for the comment link to leave notes and approve"
                       if level == "listen" else f"a write needs the room's token in the {TOKEN_HEADER} header")
                return await _refuse(send, 403, why)
            if not same_origin(headers, scope.get("scheme", "http")):
                return await _refuse(send, 403, "a write must come from the listening room's own page")
            body = await _bounded_body(headers, receive)
            if body is None:
                return await _refuse(send, 413, f"the request is over {MAX_BODY_BYTES // 1024} KB")
            receive = _replay(body)
        scope[ACCESS_KEY] = level

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


async def _bounded_body(headers: dict[str, str], receive: Receive) -> bytes | None:
    """The whole request body, or None when it is (or says it is) over MAX_BODY_BYTES."""
    try:
        if int(headers.get("content-length", "0")) > MAX_BODY_BYTES:
            return None
    except ValueError:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *_HEADERS]})
    await send({"type": "http.response.body", "body": body})
