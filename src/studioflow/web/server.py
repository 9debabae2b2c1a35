"""Running the room: a listening socket bound to the host and port asked for, and uvicorn serving the app on it."""

from __future__ import annotations

import socket
from typing import Any, Callable

import uvicorn

from studioflow.errors import OutputError

MAX_CONNECTIONS = 64      # open connections at once (each page keeps one for its live events)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free one); OutputError when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise OutputError(f"{host}:{port}: {(e.strerror or str(e)).lower()}; choose another --port or --host") \
            from None
    sock.listen(128)
    return sock


class RoomServer(uvicorn.Server):
    """uvicorn's server, which first ends the pages' live-event streams when it stops (else it would wait for them)."""

    def __init__(self, config: uvicorn.Config, close_streams: Callable[[], None] | None) -> None:
        super().__init__(config)
        self.close_streams = close_streams

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.close_streams is not None:
            self.close_streams()
        await super().shutdown(sockets)


def make_server(app: Any) -> uvicorn.Server:
    """A uvicorn server for ``app`` (from ``create_app``): quiet logs, bounded connections and request heads."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5,
                            limit_concurrency=MAX_CONNECTIONS, h11_max_incomplete_event_size=16 * 1024)
    return RoomServer(config, getattr(app, "close_streams", None))


def serve(app: Any, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C or SIGTERM."""
    make_server(app).run(sockets=[sock])
