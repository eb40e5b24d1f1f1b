"""Workflow definitions: validated step DAGs, versioned on every change.

Chosen versioning: every update stores a new immutable version (the workflow's
`version` goes up by one) in `workflow_versions`; executions keep the version
they started with, so history never changes under them. Delete is refused (409)
while executions of the workflow exist.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from connexion import request
from connexion.exceptions import ProblemException

from custom.api import serializers
from custom.sql import q
from custom.workflows.validation import (
    WorkflowValidationError,
    validate_concurrency,
    validate_steps,
)
from generated.repositories.workflow import WorkflowRepository
from generated.runtime import bad_request, listing, not_found, ok, parse_uuid, transaction


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    try:
        steps = validate_steps(body["steps"])
        concurrency = validate_concurrency(body.get("concurrency"))
    except WorkflowValidationError as exc:
        raise ProblemException(
            status=400,
            title="Invalid workflow",
            detail=str(exc),
            type="/problems/invalid-workflow",
            ext={"errors": [{"step": exc.step_key, "field": exc.field, "message": str(exc)}]},
        ) from None
    return {
        "name": body["name"],
        "description": body.get("description"),
        "steps": steps,
        "concurrency": concurrency,
    }


async def _store_version(
    conn: asyncpg.Connection, workflow_id: Any, version: int, values: dict[str, Any]
) -> None:
    await conn.execute(
        q("workflow_version_insert"),
        workflow_id,
        version,
        values["name"],
        values["description"],
        values["steps"],
        values["concurrency"],
    )


async def create_workflow(body: dict[str, Any]) -> Any:
    values = _validated(body)
    async with transaction() as conn:
        row = await WorkflowRepository(conn).create({**values, "version": 1})
        await _store_version(conn, row["id"], 1, values)
    return ok(serializers.workflow(row), 201)


async def update_workflow(id_: str, body: dict[str, Any]) -> Any:
    values = _validated(body)
    async with transaction() as conn:
        repo = WorkflowRepository(conn)
        current = await repo.get(parse_uuid(id_), for_update=True)
        if current is None:
            raise not_found("Workflow", id_)
        version = current["version"] + 1
        row = await repo.update(current["id"], {**values, "version": version})
        await _store_version(conn, current["id"], version, values)
    return ok(serializers.workflow(row))


def _version_cursor(cursor: str | None) -> int | None:
    """The version a page starts below: the cursor is the last version of the page before."""
    if cursor is None:
        return None
    if not cursor.isdigit() or not 0 < int(cursor) <= 2**31 - 1:
        raise bad_request("cursor is not one this service issued")
    return int(cursor)


async def list_workflow_versions(id_: str, limit: int = 20, cursor: str | None = None) -> Any:
    """Newest first; the versions stay as long as the workflow does."""
    workflow_id = parse_uuid(id_)
    pool = request.state.pool
    if not await pool.fetchval(q("workflow_exists"), workflow_id):
        raise not_found("Workflow", id_)
    rows = await pool.fetch(
        q("workflow_versions_page"), workflow_id, _version_cursor(cursor), limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = str(rows[-1]["version"]) if more else None
    return ok(listing([serializers.workflow_version(r) for r in rows], next_cursor))


async def get_workflow_version(id_: str, version: int) -> Any:
    row = await request.state.pool.fetchrow(q("workflow_version_get"), parse_uuid(id_), version)
    if row is None:
        raise not_found("Workflow version", f"{id_} v{version}")
    return ok(serializers.workflow_version(row))
