"""Workflow steps of one version, read once per process (versions never change)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from custom.sql import q

_steps: dict[tuple[uuid.UUID, int], list[dict[str, Any]]] = {}
# the version a workflow had when this process last looked: a guess that the start
# statement checks (execution_start), so a PUT elsewhere is noticed on the next start
_current: dict[uuid.UUID, int] = {}


def remembered_version(workflow_id: uuid.UUID) -> int | None:
    return _current.get(workflow_id)


def remember_version(workflow_id: uuid.UUID, version: int | None) -> None:
    if version is None:
        _current.pop(workflow_id, None)
        return
    if len(_current) > 10_000:
        _current.clear()
    _current[workflow_id] = version


async def steps_of(
    conn: asyncpg.Connection, workflow_id: uuid.UUID, version: int
) -> list[dict[str, Any]]:
    key = (workflow_id, version)
    steps = _steps.get(key)
    if steps is None:
        steps = await conn.fetchval(q("workflow_version_steps"), workflow_id, version)
        if steps is None:
            raise LookupError(f"workflow {workflow_id} has no version {version}")
        if len(_steps) > 10_000:
            _steps.clear()
        _steps[key] = steps
    return steps


def step_by_key(steps: list[dict[str, Any]], key: str) -> dict[str, Any]:
    for step in steps:
        if step["key"] == key:
            return step
    raise KeyError(key)
