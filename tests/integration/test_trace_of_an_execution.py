"""One trace from the submit request to the last run of a two-step workflow."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from custom.executions.context import EngineContext
from custom.observability import tracing
from tests.conftest import make_settings
from tests.engine_support import insert_workflow, start, wait_for, wait_status
from tests.support import client_for, lifespan


@pytest.mark.asyncio
async def test_submit_dispatch_and_runs_share_one_trace(
    db_url: str, db, spans: InMemorySpanExporter
) -> None:
    from custom.app import create_app

    wf = await insert_workflow(
        db,
        [
            {
                "key": "first",
                "module": "fail",
                "config": {"times": 1},
                "retry": {"maxAttempts": 2, "initialBackoffSeconds": 0},
            },
            {"key": "second", "module": "noop", "dependsOn": ["first"]},
        ],
    )
    settings = make_settings(db_url, runners=2, poll_seconds=0.1)
    async with lifespan(create_app(settings)) as served, client_for(served) as client:
        r = await client.post("/WorkflowExecution", json={"workflowId": str(wf)})
        execution_id = uuid.UUID(r.json()["id"])
        assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"

        async def three_runs() -> Any:
            return (
                len([s for s in spans.get_finished_spans() if s.name.startswith("run ")]) >= 3
                or None
            )

        await wait_for(three_runs, 5)
    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.name == "POST /v1/WorkflowExecution"]
    trace_id = server.context.trace_id
    runs = [s for s in finished if s.name.startswith("run ")]
    dispatches = [s for s in finished if s.name == "dispatch"]
    assert sorted(s.name for s in runs) == ["run first", "run first", "run second"]
    assert len(dispatches) == 3
    assert {s.context.trace_id for s in runs + dispatches} == {trace_id}
    assert all(s.parent.span_id == server.context.span_id for s in runs)
    first_attempt = next(s for s in runs if s.attributes["run.attempt"] == 1)
    assert [e.name for e in first_attempt.events] == ["retry"]
    assert all(d.end_time >= d.start_time for d in dispatches)


@pytest.mark.asyncio
async def test_breaker_events_of_a_batched_completion_land_on_the_run_span(
    db, spans: InMemorySpanExporter
) -> None:
    """The completer writes a batch in its own task; a trial's success still shows as
    'breaker closed' on the span of the run that made it."""
    from custom.leases.batch import Completion, complete_runs
    from custom.leases.claim import claim_runs

    await db.execute(
        "INSERT INTO circuit_breaker_states (key, state, opened_at, reset_timeout_seconds)"
        " VALUES ('svc', 'OPEN', now() - interval '1 minute', 30)"
    )
    wf = await insert_workflow(db, [{"key": "call", "module": "ext.call", "circuitBreaker": "svc"}])
    await start(db, wf, {})
    (trial,) = await claim_runs(db, "r1", ["ext.call"], 5, 60)
    assert (await db.fetchval("SELECT state FROM circuit_breaker_states")) == "HALF_OPEN"
    span = tracing.tracer().start_span("run call")
    item = Completion(trial["id"], trial["execution_id"], trial["lease_token"], {}, None, span)
    async with db.acquire() as conn:
        done = await complete_runs(conn, "r1", [item], EngineContext())
    span.end()
    assert trial["id"] in done.finished
    assert (await db.fetchval("SELECT state FROM circuit_breaker_states")) == "CLOSED"
    (finished,) = [s for s in spans.get_finished_spans() if s.name == "run call"]
    assert [e.name for e in finished.events] == ["breaker closed"]
