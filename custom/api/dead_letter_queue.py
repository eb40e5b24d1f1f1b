"""The dead-letter queue over REST: read with the audit trail, resolve.

Resolutions are the engine's (custom.dlq.resolve): one transaction each, execution
locked first; `resolvedBy` / the audit actor is the calling API key's name.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from connexion import request
from connexion.exceptions import ProblemException

from custom.app.security import caller
from custom.dlq import resolve
from custom.sql import q
from generated.repositories.dead_letter_queue import serialize
from generated.runtime import (
    bad_request,
    decode_cursor,
    encode_cursor,
    not_found,
    ok,
    parse_uuid,
    problem,
)
from generated.runtime import to_json as _j


def _audit_json(row: Any) -> dict[str, Any]:
    return {
        "action": row["action"],
        "actor": row["actor"],
        "at": _j(row["at"]),
        "notes": row["notes"],
        "changes": row["changes"],
        "inputsHashBefore": row["inputs_hash_before"],
        "inputsHashAfter": row["inputs_hash_after"],
        "newRunId": _j(row["new_run_id"]),
    }


def _entry_json(row: Any, audit: list[Any]) -> dict[str, Any]:
    body = serialize(SimpleNamespace(**dict(row)))  # the generated shape, from an asyncpg row
    body["audit"] = [_audit_json(a) for a in audit]
    return body


async def _with_audit(rows: list[Any]) -> list[dict[str, Any]]:
    trail = await resolve.audit_of(request.state.pool, [r["id"] for r in rows])
    return [_entry_json(r, trail[r["id"]]) for r in rows]


def _conflict(exc: Exception) -> ProblemException:
    kind = "dead-letter-resolved" if isinstance(exc, resolve.AlreadyResolved) else "execution-ended"
    return problem(409, "Dead letter not resolvable", str(exc), kind)


def _bad_overrides(exc: Exception) -> ProblemException:
    return problem(400, "Bad Request", str(exc), "invalid-value")


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    return parse_uuid(value) if value is not None else None


async def list_dead_letters(
    limit: int = 50,
    cursor: str | None = None,
    status: str | None = None,
    execution_id: str | None = None,
    workflow_id: str | None = None,
    step_key: str | None = None,
    reason: str | None = None,
) -> Any:
    after_at, after_id = decode_cursor(cursor) if cursor else (None, None)
    rows = await request.state.pool.fetch(
        q("dead_letter_list"),
        status,
        _uuid_or_none(execution_id),
        step_key,
        after_at,
        after_id,
        limit + 1,
        _uuid_or_none(workflow_id),
        reason,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return ok({"items": await _with_audit(rows), "nextCursor": next_cursor})


async def count_dead_letters(
    status: str | None = None,
    execution_id: str | None = None,
    workflow_id: str | None = None,
    step_key: str | None = None,
    reason: str | None = None,
) -> Any:
    """How many entries match; with status QUARANTINED, what a bulk resolution with the
    same filter would touch (before its per-request limit)."""
    count = await request.state.pool.fetchval(
        q("dead_letter_count"),
        status,
        _uuid_or_none(execution_id),
        _uuid_or_none(workflow_id),
        step_key,
        reason,
    )
    return ok({"count": count})


async def get_dead_letter(id_: str) -> Any:
    row = await request.state.pool.fetchrow(q("dead_letter_get"), parse_uuid(id_))
    if row is None:
        raise not_found("DeadLetterQueue", id_)
    return ok((await _with_audit([row]))[0])


async def requeue_dead_letter(id_: str, body: dict[str, Any] | None = None) -> Any:
    body = body or {}
    dead_letter_id = parse_uuid(id_)
    try:
        async with request.state.pool.acquire() as conn:
            entry = await resolve.requeue(
                conn,
                dead_letter_id,
                actor=caller(request),
                notes=body.get("notes"),
                overrides=body.get("inputOverrides"),
                ctx=request.state.engine.context,
            )
    except resolve.InvalidOverrides as exc:
        raise _bad_overrides(exc) from None
    except resolve.DeadLetterNotFound:
        raise not_found("DeadLetterQueue", id_) from None
    except (resolve.AlreadyResolved, resolve.NotRequeueable) as exc:
        raise _conflict(exc) from None
    return ok((await _with_audit([entry]))[0])


async def discard_dead_letter(id_: str, body: dict[str, Any]) -> Any:
    notes = (body or {}).get("notes")
    if not isinstance(notes, str) or not notes.strip():
        raise bad_request("notes are required to discard a dead letter")
    dead_letter_id = parse_uuid(id_)
    try:
        async with request.state.pool.acquire() as conn:
            entry = await resolve.discard(conn, dead_letter_id, actor=caller(request), notes=notes)
    except resolve.DeadLetterNotFound:
        raise not_found("DeadLetterQueue", id_) from None
    except resolve.AlreadyResolved as exc:
        raise _conflict(exc) from None
    return ok((await _with_audit([entry]))[0])


def _filter(body: dict[str, Any]) -> resolve.Filter:
    raw = body.get("filter") or {}

    def uid(name: str) -> uuid.UUID | None:
        return parse_uuid(raw[name]) if raw.get(name) is not None else None

    return resolve.Filter(
        uid("executionId"), uid("workflowId"), raw.get("stepKey"), raw.get("reason")
    )


# entries one bulk request resolves when it names no limit (the spec's default)
BULK_LIMIT = 1000


async def bulk_requeue_dead_letters(body: dict[str, Any]) -> Any:
    try:
        ids = await resolve.bulk_requeue(
            request.state.pool,
            _filter(body),
            actor=caller(request),
            notes=body.get("notes"),
            overrides=body.get("inputOverrides"),
            limit=_limit(body),
            ctx=request.state.engine.context,
        )
    except resolve.InvalidOverrides as exc:
        raise _bad_overrides(exc) from None
    return await _bulk_result(ids, body)


async def bulk_discard_dead_letters(body: dict[str, Any]) -> Any:
    notes = body.get("notes")
    if not isinstance(notes, str) or not notes.strip():
        raise bad_request("notes are required to discard dead letters")
    ids = await resolve.bulk_discard(
        request.state.pool, _filter(body), actor=caller(request), notes=notes, limit=_limit(body)
    )
    return await _bulk_result(ids, body)


def _limit(body: dict[str, Any]) -> int:
    return int(body.get("limit") or BULK_LIMIT)


async def _bulk_result(ids: list[Any], body: dict[str, Any]) -> Any:
    remaining = await resolve.still_matching(request.state.pool, _filter(body))
    return ok({"count": len(ids), "ids": [str(i) for i in ids], "remaining": remaining})
