"""Starting executions (idempotent), execution control (cancel, pause, resume), signals
to its wait steps, and deleting a finished one."""

from __future__ import annotations

import datetime
import functools
import logging
from typing import Any

from connexion import request

from custom.api import serializers
from custom.app.security import caller
from custom.executions import control, purge, signals
from custom.executions.concurrency import ConcurrencyKeyError
from custom.executions.start import (
    BatchItem,
    BatchOutcome,
    IdempotencyConflict,
    Plan,
    Started,
    WorkflowNotFound,
    start_batch,
    start_execution,
)
from custom.observability.tracing import inject_context
from custom.schedules.firing import clock_now
from custom.sql import q
from generated import models
from generated.constants import PRIORITY_DEFAULT, ExecutionStatus
from generated.runtime import (
    no_content,
    not_found,
    ok,
    parse_datetime,
    parse_uuid,
    problem,
    uuid_prefix_range,
)
from generated.serializers import build

EXECUTION_STATUSES = tuple(ExecutionStatus)
log = logging.getLogger(__name__)


def _trace_context() -> dict[str, str] | None:
    return inject_context() or None


async def get_workflow_execution(id_: str) -> Any:
    """One execution, read with one statement (the hot read of a polling client); a
    second only for an execution that was paused, resumed or cancelled."""
    execution_id = parse_uuid(id_)
    pool = request.state.pool
    row = await pool.fetchrow(q("execution_get_for_api"), execution_id)
    if row is None:
        raise not_found("WorkflowExecution", id_)
    history = []
    if row["has_control_history"]:
        history = await pool.fetch(q("execution_audit_list"), execution_id)
    return ok(serializers.workflow_execution(row, history))


async def count_workflow_executions(
    workflow_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    id_prefix: str | None = None,
) -> Any:
    """Executions per status (every status present), with the list's other filters."""
    low, high = uuid_prefix_range(id_prefix) if id_prefix is not None else (None, None)
    rows = await request.state.pool.fetch(
        q("executions_count_by_status"),
        parse_uuid(workflow_id) if workflow_id is not None else None,
        parse_datetime(created_after) if created_after is not None else None,
        parse_datetime(created_before) if created_before is not None else None,
        low,
        high,
    )
    counts = dict.fromkeys(EXECUTION_STATUSES, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    total = sum(counts.values())
    return ok(build(models.WorkflowExecutionCounts, {"counts": counts, "total": total}))


async def get_workflow_execution_graph(id_: str) -> Any:
    """The steps of the execution's workflow version, each with its latest run."""
    execution_id = parse_uuid(id_)
    pool = request.state.pool
    head = await pool.fetchrow(q("execution_graph_head"), execution_id)
    if head is None:
        raise not_found("WorkflowExecution", id_)
    latest = {r["step_key"]: r for r in await pool.fetch(q("execution_graph_runs"), execution_id)}
    graph = {
        "executionId": head["id"],
        "workflowId": head["workflow_id"],
        "workflowVersion": head["workflow_version"],
        "workflowName": head["name"],
        "status": head["status"],
        "nodes": [serializers.graph_node(s, latest.get(s["key"])) for s in head["steps"]],
    }
    return ok(build(models.WorkflowExecutionGraph, graph))


async def _plan(conn: Any, body: dict[str, Any]) -> Plan | None:
    """A delayed start from `startAt` or `delaySeconds` (not both: a 422)."""
    start_at, delay = body.get("startAt"), body.get("delaySeconds")
    if start_at is not None and delay is not None:
        raise problem(
            422, "Invalid start", "give startAt or delaySeconds, not both", "invalid-start"
        )
    if delay is not None:
        now = await clock_now(conn, request.state.engine.context)
        return Plan(start_at=now + datetime.timedelta(seconds=delay), now=now)
    if start_at is not None:
        return Plan(
            start_at=parse_datetime(start_at), now=request.state.engine.context.clock.db_now()
        )
    return None


async def create_workflow_execution(body: dict[str, Any]) -> Any:
    """201 with a new execution, or 200 with the one this request duplicates. With
    startAt or delaySeconds it stays PENDING until then."""
    key = request.headers.get("idempotency-key")
    workflow_id = parse_uuid(body["workflowId"])
    async with request.state.pool.acquire() as conn:
        plan = await _plan(conn, body)
        try:
            started = await start_execution(
                conn,
                workflow_id,
                body.get("inputs") or {},
                idempotency_key=key,
                trace_context=_trace_context(),
                created_by=caller(request),
                ctx=request.state.engine.context,
                plan=plan,
                priority=body.get("priority", PRIORITY_DEFAULT),
            )
        except WorkflowNotFound:
            raise not_found("Workflow", workflow_id) from None
        except ConcurrencyKeyError as exc:
            raise _concurrency_key_missing(exc) from None
        except IdempotencyConflict as exc:
            raise problem(422, "Idempotency-Key reused", str(exc), "idempotency-conflict") from None
    return ok(serializers.workflow_execution(started.execution), 201 if started.created else 200)


async def create_workflow_execution_batch(body: dict[str, Any]) -> Any:
    """One result per item, in order: each what a single submit of it would answer."""
    items = [
        BatchItem(
            parse_uuid(i["workflowId"]),
            i.get("inputs") or {},
            i.get("idempotencyKey"),
            i.get("priority", PRIORITY_DEFAULT),
        )
        for i in body["items"]
    ]
    async with request.state.pool.acquire() as conn:
        outcomes = await start_batch(
            conn,
            items,
            trace_context=_trace_context(),
            created_by=caller(request),
            ctx=request.state.engine.context,
        )
    results = [_batch_result(o) for o in outcomes]
    return ok(build(models.WorkflowExecutionBatchResults, {"results": results}))


def _batch_result(outcome: BatchOutcome) -> models.WorkflowExecutionBatchResult:
    if isinstance(outcome, Started):
        result = {
            "status": 201 if outcome.created else 200,
            "execution": serializers.workflow_execution(outcome.execution),
        }
    elif isinstance(outcome, WorkflowNotFound):
        result = {"status": 404, "problem": _problem(404, "Not Found", outcome, "not-found")}
    elif isinstance(outcome, ConcurrencyKeyError):
        result = {
            "status": 400,
            "problem": _problem(400, CONCURRENCY_KEY_TITLE, outcome, CONCURRENCY_KEY_KIND),
        }
    else:
        result = {
            "status": 422,
            "problem": _problem(422, "Idempotency-Key reused", outcome, "idempotency-conflict"),
        }
    return build(models.WorkflowExecutionBatchResult, result)


CONCURRENCY_KEY_TITLE = "Concurrency key missing"
CONCURRENCY_KEY_KIND = "concurrency-key"


def _concurrency_key_missing(exc: ConcurrencyKeyError) -> Exception:
    """400: the inputs do not give the workflow's concurrency key (nothing written)."""
    return problem(400, CONCURRENCY_KEY_TITLE, str(exc), CONCURRENCY_KEY_KIND)


def _problem(status: int, title: str, exc: Exception, kind: str) -> models.Problem:
    """The problem a single submit would have answered with."""
    return build(
        models.Problem,
        {"type": f"/problems/{kind}", "title": title, "status": status, "detail": str(exc)},
    )


async def _control(operation: Any, id_: str) -> Any:
    execution_id = parse_uuid(id_)
    async with request.state.pool.acquire() as conn:
        try:
            done = await operation(conn, execution_id, actor=caller(request))
        except control.ExecutionNotFound:
            raise not_found("WorkflowExecution", id_) from None
        except control.InvalidTransition as exc:
            raise problem(
                409, "Invalid execution transition", str(exc), "invalid-transition"
            ) from None
    return ok(serializers.workflow_execution(done.execution))


async def cancel_workflow_execution(id_: str) -> Any:
    """PENDING runs cancelled, running ones told to stop; the execution ends CANCELLED."""
    return await _control(functools.partial(control.cancel, ctx=request.state.engine.context), id_)


async def pause_workflow_execution(id_: str) -> Any:
    """No run of the execution is dispatched until it is resumed; runs in flight finish."""
    return await _control(control.pause, id_)


async def resume_workflow_execution(id_: str) -> Any:
    """Dispatch continues where it stopped."""
    return await _control(functools.partial(control.resume, ctx=request.state.engine.context), id_)


async def signal_workflow_execution(id_: str, body: dict[str, Any]) -> Any:
    """201 with the signal (consumed at once when a wait on its name is parked), or 200
    with the signal an earlier request sent under the same Idempotency-Key."""
    execution_id = parse_uuid(id_)
    async with request.state.pool.acquire() as conn:
        try:
            sent = await signals.send_signal(
                conn,
                execution_id,
                body["name"],
                body.get("payload"),
                idempotency_key=request.headers.get("idempotency-key"),
                sent_by=caller(request),
                ctx=request.state.engine.context,
            )
        except control.ExecutionNotFound:
            raise not_found("WorkflowExecution", id_) from None
        except signals.ExecutionFinished as exc:
            raise problem(409, "Execution finished", str(exc), "execution-finished") from None
        except signals.SignalKeyConflict as exc:
            raise problem(422, "Idempotency-Key reused", str(exc), "idempotency-conflict") from None
    return ok(serializers.signal(sent.signal), 201 if sent.created else 200)


async def delete_workflow_execution(id_: str) -> Any:
    """A finished execution goes with its runs, dead letters and audit (what retention
    does when its time is up)."""
    async with request.state.pool.acquire() as conn:
        try:
            purged = await purge.delete_execution(conn, parse_uuid(id_))
        except purge.NotDeletable as exc:
            raise problem(409, "Conflict", str(exc), "execution-not-deletable") from None
    if purged is None:
        raise not_found("WorkflowExecution", id_)
    log.info("execution %s deleted by %s: %s", id_, caller(request), purged)
    return no_content()
