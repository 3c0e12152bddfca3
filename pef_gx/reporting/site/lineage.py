"""A lineage graph laid out in Python (simple layered DAG, left to right) for an inline SVG: no JavaScript,
no network. Layer = longest path from the graph's roots; order within a layer by the mean position of
the parents (one barycentre pass), which keeps most edges short and uncrossed for dbt-sized graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 196, 34, 56, 14, 10


@dataclass(frozen=True)
class GraphNode:
    node_id: str
    label: str
    kind: str  # model | seed | snapshot | source | exposure
    status: str  # pass | warn | fail | error | stale | none
    href: str | None
    x: float
    y: float
    focus: bool = False
    title: str = ""


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    path: str  # SVG path data


@dataclass(frozen=True)
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: float
    height: float
    node_w: int = NODE_W
    node_h: int = NODE_H


def layout(
    node_ids: Iterable[str],
    parents: Mapping[str, Iterable[str]],
    describe: Callable[[str], tuple[str, str, str, str | None, str]],
    focus: str | None = None,
) -> Graph:
    """Lay out `node_ids` (edges: `parents` restricted to them). `describe(id)` -> (label, kind, status,
    href, title)."""
    ids = sorted(set(node_ids))
    inside = set(ids)
    ups = {n: sorted(p for p in parents.get(n, ()) if p in inside and p != n) for n in ids}
    layer: dict[str, int] = {}

    def depth(n: str, trail: frozenset[str] = frozenset()) -> int:
        if n not in layer:
            if n in trail:  # a cycle (should not happen in dbt): cut it
                return 0
            layer[n] = 1 + max((depth(p, trail | {n}) for p in ups[n]), default=-1)
        return layer[n]

    for n in ids:
        depth(n)
    columns: dict[int, list[str]] = {}
    for n in ids:
        columns.setdefault(layer[n], []).append(n)
    position: dict[str, float] = {}
    for col in sorted(columns):
        members = columns[col]
        members.sort(
            key=lambda n: (
                sum(position.get(p, 0.0) for p in ups[n]) / len(ups[n]) if ups[n] else 0.0,
                describe(n)[0],
            )
        )
        for i, n in enumerate(members):
            position[n] = float(i)
    tallest = max((len(m) for m in columns.values()), default=1)
    height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y
    coords: dict[str, tuple[float, float]] = {}
    nodes = []
    for col, members in sorted(columns.items()):
        offset = (tallest - len(members)) * (NODE_H + GAP_Y) / 2
        for i, n in enumerate(members):
            x = PAD + col * (NODE_W + GAP_X)
            y = PAD + offset + i * (NODE_H + GAP_Y)
            coords[n] = (x, y)
            label, kind, status, href, title = describe(n)
            nodes.append(GraphNode(n, label, kind, status, href, x, y, n == focus, title))
    edges = []
    for n in ids:
        for p in ups[n]:
            (px, py), (cx, cy) = coords[p], coords[n]
            x1, y1, x2, y2 = px + NODE_W, py + NODE_H / 2, cx, cy + NODE_H / 2
            mid = (x1 + x2) / 2
            edges.append(
                GraphEdge(
                    p, n, f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
                )
            )
    width = PAD * 2 + (max(columns, default=0) + 1) * NODE_W + max(columns, default=0) * GAP_X
    return Graph(nodes, edges, width, height)
