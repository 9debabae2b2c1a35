"""``studioflow studio``: open the listening room on a project (a local web page served by studioflow)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("studio")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this machine's loopback makes every visitor need a link.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--json", "as_json", is_flag=True, help='Print {"url", "listen", "comment"} as JSON, then serve.')
def studio(project: Path, host: str, port: int, as_json: bool) -> None:
    """Open the listening room: play every mix and master of PROJECT in a browser, compare versions
    loudness-matched (A/B at the same position), click the waveform to leave a note at a time (routed to the role
    that handles it), reply, mark notes done, approve stages, and see new versions appear live.

    Bound to 127.0.0.1, this machine needs no link. With another --host, share the printed links: the listen link
    plays and reads notes; the comment link also files notes and approves. Stop with Ctrl-C.

    \b
    Examples:
      studioflow studio demo-out/project            # then open http://127.0.0.1:8765/
      studioflow studio my-ep --host 0.0.0.0 --port 8800
    """
    from rich.console import Console
    from rich.table import Table

    from studioflow.web.access import Access
    from studioflow.web.app import create_app
    from studioflow.web.server import bind, serve

    access = Access(host)
    app = create_app(project, access)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    links = access.links(port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" if access.local else links["listen"]
    if as_json:
        click.echo(json.dumps({"url": url, **links}), nl=True)
    else:
        console = Console(highlight=False)
        console.print(f"[bold]the listening room[/] on {project}: {url}")
        table = Table("link", "who can", "URL", box=None)
        table.columns[2].overflow = "fold"
        table.add_row("listen", "play, read notes", links["listen"])
        table.add_row("comment", "also file notes, reply, approve", links["comment"])
        console.print(table)
        if access.local:
            console.print("[dim]on this machine no link is needed; the links matter only with --host[/]")
        console.print("[dim]Ctrl-C stops it[/]")
    serve(app, sock)
