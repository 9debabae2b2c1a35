"""Who may do what in the listening room: two secret links (listen-only and comment), the host check against DNS
rebinding, the same-origin check on writes, and the bound on a request's size.

- Bound to a loopback address (the default, 127.0.0.1), a visitor whose ``Host`` header names this machine may
  listen and comment without a link: the page carries the comment token for its own writes. Any other ``Host``
  (a DNS name rebound to 127.0.0.1) gets nothing without a token.
- Bound to any other address, every request needs a token: the listen link's token lets a visitor listen and read
  the notes; the comment link's token also lets them file notes, reply, mark notes done and approve.
- A write (POST) needs the comment token in the ``X-Studio-Token`` header (a header a page of another site cannot
  send without the browser asking first) and, when the browser says where it comes from (``Origin``, or
  ``Sec-Fetch-Site``), the same origin as the room. Its body is at most :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass, field

LISTEN, COMMENT = "listen", "comment"
TOKEN_HEADER = "x-studio-token"
TOKEN_QUERY = "t"
MAX_BODY_BYTES = 64 * 1024
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is this machine's loopback."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header (``127.0.0.1:8765`` -> ``127.0.0.1``, ``[::1]:80`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


@dataclass
class Access:
    """The room's two tokens and whether it listens on loopback only."""

    bind_host: str
    listen_token: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    comment_token: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    @property
    def local(self) -> bool:
        """Whether the room is bound to a loopback address (then this machine needs no token)."""
        return is_loopback(self.bind_host)

    def level(self, token: str | None, host_header: str) -> str | None:
        """``comment``, ``listen`` or None (no access) for a request carrying ``token`` to ``host_header``."""
        if token and hmac.compare_digest(token.encode(), self.comment_token.encode()):
            return COMMENT
        if token and hmac.compare_digest(token.encode(), self.listen_token.encode()):
            return LISTEN
        if self.local and is_loopback(host_name(host_header)):
            return COMMENT
        return None

    def may_write(self, token: str | None) -> bool:
        """Whether ``token`` is the comment token (what every write needs, wherever it comes from)."""
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.comment_token.encode())

    def page_token(self, level: str) -> str:
        """The token the page sends back with its requests for a visitor at ``level``."""
        return self.comment_token if level == COMMENT else self.listen_token

    def links(self, port: int) -> dict[str, str]:
        """The share links: ``listen`` (listen-only) and ``comment`` (notes and approvals)."""
        host = self.bind_host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        shown = f"[{host}]" if ":" in host else host
        return {level: f"http://{shown}:{port}/?{TOKEN_QUERY}={self.page_token(level)}" for level in (LISTEN, COMMENT)}


def same_origin(headers: dict[str, str], scheme: str) -> bool:
    """Whether a write comes from the room's own page: its ``Origin`` (or else ``Sec-Fetch-Site``) says so, or the
    client is no browser and says nothing of where it comes from."""
    origin = headers.get("origin")
    if origin is not None:
        return origin == f"{scheme}://{headers.get('host', '')}"
    site = headers.get("sec-fetch-site")
    return site is None or site in ("same-origin", "none")
