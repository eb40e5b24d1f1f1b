"""Starting executions (idempotent); cancel/pause/resume come with execution control."""

from __future__ import annotations

from typing import Any

from connexion import request
from connexion.exceptions import ProblemException

from custom.auth.security import caller
from custom.executions.serialize import execution_json
from custom.executions.start import IdempotencyConflict, WorkflowNotFound, start_execution
from generated.runtime import not_found, ok, parse_uuid


def _trace_context() -> dict[str, str] | None:
    try:
        from custom.observability.tracing import inject_context
    except ImportError:
        return None
    return inject_context() or None


async def create(body: dict[str, Any]) -> Any:
    """201 with a new execution, or 200 with the one this request duplicates."""
    key = request.headers.get("idempotency-key")
    workflow_id = parse_uuid(body["workflowId"])
    async with request.state.pool.acquire() as conn:
        try:
            started = await start_execution(
                conn, workflow_id, body.get("inputs") or {}, idempotency_key=key,
                trace_context=_trace_context(), created_by=caller(request),
            )
        except WorkflowNotFound:
            raise not_found("Workflow", workflow_id) from None
        except IdempotencyConflict as exc:
            raise ProblemException(status=422, title="Idempotency-Key reused",
                                   detail=str(exc), type="/problems/idempotency-conflict") from None
    return ok(execution_json(started.execution), 201 if started.created else 200)
