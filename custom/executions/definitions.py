"""Workflow steps of one version, read once per process (versions never change)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from custom.sql import q

_steps: dict[tuple[uuid.UUID, int], list[dict[str, Any]]] = {}


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
