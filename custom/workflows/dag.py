"""Dependency-graph helpers for workflow steps.

Steps form a DAG through ``dependsOn``. These helpers are pure functions over
the (validated) step list so the dispatcher, the validator and tests share one
definition of "ready" and one deterministic order: ties are always broken by
declaration order, so the same workflow always yields the same order.
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Iterable, Mapping, Sequence
from graphlib import TopologicalSorter
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


def _graph(steps: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each step key to its known dependencies (unknown ones are the validator's to report)."""
    keys = {step["key"] for step in steps}
    return {step["key"]: [d for d in _deps(step) if d in keys] for step in steps}


def find_cycle(steps: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """Return a cycle as a closed path along ``dependsOn`` (``[a, b, a]``: a depends on b,
    b on a) or ``None``.

    Dependencies naming unknown steps are ignored here (the validator reports
    them separately).
    """
    try:
        TopologicalSorter(_graph(steps)).prepare()
    except graphlib.CycleError as exc:
        # graphlib walks from a dependency to its dependants; a reader follows dependsOn
        return list(reversed(exc.args[1]))
    return None


def topological_order(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Step keys with every step after its dependencies; among the steps that are ready
    together, declaration order.

    Raises :class:`CycleError` when there is a cycle.
    """
    sorter = TopologicalSorter(_graph(steps))
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise CycleError(list(reversed(exc.args[1]))) from None
    index = {step["key"]: i for i, step in enumerate(steps)}
    keys = [step["key"] for step in steps]
    heap = [index[key] for key in sorter.get_ready()]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        key = keys[heapq.heappop(heap)]
        order.append(key)
        sorter.done(key)
        for ready in sorter.get_ready():
            heapq.heappush(heap, index[ready])
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
