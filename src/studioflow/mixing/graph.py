"""Routing: who feeds whom (outputs and sends), loops, the order buses run in, solo and mute, and delay compensation.

Plugin delay compensation: a strip's output lags the song by ``latency_out`` frames (the latency at its input plus its
inserts'). A bus waits for its latest input; every other input is delayed by the difference, so tracks stay
sample-aligned and a send return stays aligned with its dry signal. Sends tap after the inserts (pre- or post-fader),
so they lag by the same amount as the strip's output.

Solo: when anything is soloed, a strip stays audible if it is soloed, feeds a soloed strip (by output or send), is on
a soloed strip's way to the master, or is solo-safe (return buses, fed only by sends, are solo-safe by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studioflow.mixing.session import MASTER, Session, Strip


@dataclass(frozen=True)
class Edge:
    """A connection: ``src``'s output (``send`` None) or its send number ``send`` into ``dst``; PDC ``delay`` frames."""

    src: str
    dst: str
    send: int | None
    key: str
    delay: int = 0


@dataclass
class Plan:
    """The render order and the routing facts the renderer needs."""

    bus_levels: list[list[str]]                     # buses grouped so each level only hears earlier ones
    inputs: dict[str, list[Edge]]                   # bus or master -> edges arriving there
    latency_out: dict[str, int]                     # strip -> frames its output lags the song
    latency_in: dict[str, int]                      # strip -> frames its input lags the song
    silent: set[str] = field(default_factory=set)   # muted, or silenced by someone else's solo

    @property
    def master_latency(self) -> int:
        """Frames the master output lags the song."""
        return self.latency_out[MASTER]


def edges_of(session: Session) -> list[Edge]:
    """Every output and send connection in the session."""
    edges = []
    for s in [*session.tracks, *session.buses]:
        if s.output is not None:
            edges.append(Edge(s.name, s.output, None, s.key + ".output"))
        for i, send in enumerate(s.sends):
            edges.append(Edge(s.name, send.bus, i, send.key + ".bus"))
    return edges


def find_loop(session: Session, edges: list[Edge]) -> None:
    """Raise SessionError naming the first routing loop (``drums -> sub -> drums``), if there is one."""
    out: dict[str, list[Edge]] = {}
    for e in edges:
        out.setdefault(e.src, []).append(e)
    state: dict[str, int] = {}   # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for e in out.get(node, []):
            if state.get(e.dst) == 1:
                loop = [*stack[stack.index(e.dst):], e.dst]
                raise session.located.fail(e.key, "routing loop: " + " -> ".join(loop))
            if state.get(e.dst) is None:
                visit(e.dst)
        stack.pop()
        state[node] = 2

    for b in session.buses:
        if b.name not in state:
            visit(b.name)


def levels(session: Session, edges: list[Edge]) -> list[list[str]]:
    """Buses grouped by depth: a bus runs after every bus that feeds it."""
    bus_names = [b.name for b in session.buses]
    depth: dict[str, int] = {}

    def d(name: str) -> int:
        if name not in depth:
            feeders = [e.src for e in edges if e.dst == name and e.src in bus_names]
            depth[name] = 1 + max((d(f) for f in feeders), default=-1)
        return depth[name]

    for name in bus_names:
        d(name)
    top = max(depth.values(), default=-1)
    return [[n for n in bus_names if depth[n] == k] for k in range(top + 1)]


def silenced(session: Session, edges: list[Edge]) -> set[str]:
    """Names of the strips that make no sound: muted ones, and those a solo elsewhere silences."""
    strips = [*session.tracks, *session.buses]
    muted = {s.name for s in strips if s.mute}
    soloed = {s.name for s in strips if s.solo}
    if not soloed:
        return muted
    keep = set(soloed)
    for name in soloed:
        keep |= _reach(name, edges, upstream=True, outputs_only=False)
        keep |= _reach(name, edges, upstream=False, outputs_only=True)
    for s in session.buses:
        if _solo_safe(s, edges):
            keep.add(s.name)
    return muted | {s.name for s in strips if s.name not in keep}


def _solo_safe(bus: Strip, edges: list[Edge]) -> bool:
    if bus.solo_safe:
        return True
    incoming = [e for e in edges if e.dst == bus.name]
    return bool(incoming) and all(e.send is not None for e in incoming)


def _reach(start: str, edges: list[Edge], upstream: bool, outputs_only: bool) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for e in edges:
            if outputs_only and e.send is not None:
                continue
            a, b = (e.dst, e.src) if upstream else (e.src, e.dst)
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def plan(session: Session, insert_latency: dict[str, int]) -> Plan:
    """Check the routing and work out the render order, the silent strips and the delay compensation.

    ``insert_latency`` maps each strip name to the summed latency of its inserts, in frames.
    """
    edges = edges_of(session)
    find_loop(session, edges)
    bus_levels = levels(session, edges)
    latency_in: dict[str, int] = {}
    latency_out: dict[str, int] = {}
    for t in session.tracks:
        latency_in[t.name] = 0
        latency_out[t.name] = insert_latency.get(t.name, 0)
    for name in [*[n for level in bus_levels for n in level], MASTER]:
        arriving = [latency_out[e.src] for e in edges if e.dst == name]
        latency_in[name] = max(arriving, default=0)
        latency_out[name] = latency_in[name] + insert_latency.get(name, 0)
    inputs: dict[str, list[Edge]] = {b.name: [] for b in [*session.buses, session.master]}
    for e in edges:
        inputs[e.dst].append(Edge(e.src, e.dst, e.send, e.key, latency_in[e.dst] - latency_out[e.src]))
    return Plan(bus_levels=bus_levels, inputs=inputs, latency_out=latency_out, latency_in=latency_in,
                silent=silenced(session, edges))
