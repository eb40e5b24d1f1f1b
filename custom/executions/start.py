"""Start an execution, idempotently, with its first runs in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.idempotency import execution_content_hash
from custom.sql import q


class WorkflowNotFound(LookupError):
    pass


class IdempotencyConflict(ValueError):
    """The Idempotency-Key was used before for different content."""


@dataclass
class Started:
    execution: asyncpg.Record
    created: bool  # False: a duplicate of an existing execution


async def start_execution(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    inputs: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    trace_context: dict[str, str] | None = None,
    created_by: str | None = None,
) -> Started:
    """Insert the execution unless its key exists; the unique index decides races."""
    async with conn.transaction():
        workflow = await conn.fetchrow(q("workflow_current"), workflow_id)
        if workflow is None:
            raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        content_hash = execution_content_hash(workflow_id, workflow["version"], inputs)
        key = idempotency_key or content_hash
        execution = await conn.fetchrow(
            q("execution_insert"),
            workflow_id,
            workflow["version"],
            inputs,
            key,
            content_hash,
            trace_context,
            created_by,
        )
        if execution is not None:
            outcome = await advance(conn, execution, fresh=True)
            if outcome.failed:  # a first step could not even resolve its inputs
                execution = await conn.fetchrow(q("execution_get"), execution["id"])
            return Started(execution, True)
    existing = await conn.fetchrow(q("execution_by_idempotency_key"), key)
    if existing is None:  # deleted in between: vanishingly rare; treat as a new submission
        return await start_execution(
            conn,
            workflow_id,
            inputs,
            idempotency_key=idempotency_key,
            trace_context=trace_context,
            created_by=created_by,
        )
    if existing["request_hash"] != content_hash:
        raise IdempotencyConflict(
            f"Idempotency-Key {key!r} was already used for execution {existing['id']} "
            f"with different content (workflow {existing['workflow_id']} "
            f"version {existing['workflow_version']})"
        )
    return Started(existing, False)
