"""Workflow steps of one version, read once per engine (versions never change).

A cache per engine, not per process: two engines in one process (tests, a bench)
keep their own, and nothing else can fill or clear it.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from custom.sql import q

MAX_ENTRIES = 10_000  # a bound, not a tuning: a process sees far fewer workflow versions


class Definitions:
    def __init__(self) -> None:
        self._steps: dict[tuple[uuid.UUID, int], list[dict[str, Any]]] = {}
        self._concurrency: dict[tuple[uuid.UUID, int], dict[str, Any] | None] = {}
        # the version a workflow had when this engine last looked: a guess that the
        # start statement checks (execution_start), so a PUT elsewhere is noticed on
        # the next start
        self._current: dict[uuid.UUID, int] = {}

    def remembered_version(self, workflow_id: uuid.UUID) -> int | None:
        return self._current.get(workflow_id)

    def remember_version(self, workflow_id: uuid.UUID, version: int | None) -> None:
        if version is None:
            self._current.pop(workflow_id, None)
            return
        if len(self._current) > MAX_ENTRIES:
            self._current.clear()
        self._current[workflow_id] = version

    async def steps_of(
        self, conn: asyncpg.Connection, workflow_id: uuid.UUID, version: int
    ) -> list[dict[str, Any]]:
        key = (workflow_id, version)
        steps = self._steps.get(key)
        if steps is None:
            row = await conn.fetchrow(q("workflow_version_steps"), workflow_id, version)
            if row is None:
                raise LookupError(f"workflow {workflow_id} has no version {version}")
            if len(self._steps) > MAX_ENTRIES:
                self._steps.clear()
                self._concurrency.clear()
            steps = self._steps[key] = row["steps"]
            self._concurrency[key] = row["concurrency"]
        return steps

    async def concurrency_of(
        self, conn: asyncpg.Connection, workflow_id: uuid.UUID, version: int
    ) -> dict[str, Any] | None:
        """The version's concurrency limit ({key, limit}), None when it has none."""
        key = (workflow_id, version)
        if key not in self._concurrency:
            await self.steps_of(conn, workflow_id, version)
        return self._concurrency.get(key)


def step_by_key(steps: list[dict[str, Any]], key: str) -> dict[str, Any]:
    for step in steps:
        if step["key"] == key:
            return step
    raise KeyError(key)
