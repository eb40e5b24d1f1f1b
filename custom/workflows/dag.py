"""Dependency-graph helpers for workflow steps.

Steps form a DAG through ``dependsOn``. These helpers are pure functions over
the (validated) step list so the dispatcher, the validator and tests share one
definition of "ready" and one deterministic order: ties are always broken by
declaration order, so the same workflow always yields the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "CycleError",
    "ancestors",
    "find_cycle",
    "ready_steps",
    "topological_order",
]


class CycleError(ValueError):
    """The steps' ``dependsOn`` edges contain a cycle; ``cycle`` is its path."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("dependency cycle: " + " -> ".join(cycle))
        self.cycle = cycle


def _deps(step: Mapping[str, Any]) -> list[str]:
    return list(step.get("dependsOn") or [])


def ready_steps(
    steps: Sequence[Mapping[str, Any]], done_keys: set[str], started_keys: set[str]
) -> list[Any]:
    """Steps not yet started (nor done) whose dependencies are all done.

    Returned in declaration order.
    """
    return [
        step
        for step in steps
        if step["key"] not in started_keys
        and step["key"] not in done_keys
        and all(dep in done_keys for dep in _deps(step))
    ]


def find_cycle(steps: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """Return a cycle as a closed path (``[a, b, a]``) or ``None``.

    Dependencies naming unknown steps are ignored here (the validator reports
    them separately). Iterative DFS so a long chain cannot hit the recursion
    limit.
    """
    graph = {step["key"]: _deps(step) for step in steps}
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    for root in graph:
        if colour[root] != white:
            continue
        path: list[str] = [root]
        iters: list[Iterator[str]] = [iter(graph[root])]
        colour[root] = grey
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                iters.pop()
                continue
            if nxt not in graph:
                continue
            if colour[nxt] == grey:
                start = path.index(nxt)
                return [*path[start:], nxt]
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                iters.append(iter(graph[nxt]))
    return None


def topological_order(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Step keys with every step after its dependencies (Kahn, stable).

    Raises :class:`CycleError` when there is a cycle.
    """
    cycle = find_cycle(steps)
    if cycle is not None:
        raise CycleError(cycle)
    index = {step["key"]: i for i, step in enumerate(steps)}
    indegree = {key: 0 for key in index}
    dependants: dict[str, list[str]] = {key: [] for key in index}
    for step in steps:
        for dep in dict.fromkeys(_deps(step)):
            if dep in index:
                indegree[step["key"]] += 1
                dependants[dep].append(step["key"])
    heap = [i for key, i in index.items() if indegree[key] == 0]
    heapq.heapify(heap)
    keys = [step["key"] for step in steps]
    order: list[str] = []
    while heap:
        key = keys[heapq.heappop(heap)]
        order.append(key)
        for child in dependants[key]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(heap, index[child])
    return order


def ancestors(
    steps: Sequence[Mapping[str, Any]], only: Iterable[str] | None = None
) -> dict[str, set[str]]:
    """Map each step key to every step it depends on, directly or transitively.

    ``only`` limits the computation to those keys (the validator only needs
    steps that reference others; a long chain would otherwise cost O(n^2)).
    Unknown dependency keys are ignored; cycles do not loop forever.
    """
    graph = {step["key"]: _deps(step) for step in steps}
    wanted = list(graph) if only is None else [k for k in only if k in graph]
    result: dict[str, set[str]] = {}
    for key in wanted:
        seen: set[str] = set()
        stack = [d for d in graph[key] if d in graph]
        while stack:
            dep = stack.pop()
            if dep in seen:
                continue
            seen.add(dep)
            stack.extend(d for d in graph[dep] if d in graph)
        result[key] = seen
    return result
