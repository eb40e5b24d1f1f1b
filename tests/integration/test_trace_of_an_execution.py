"""One trace from the submit request to the last run of a two-step workflow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from custom.observability import tracing
from tests.conftest import make_settings
from tests.engine_support import insert_workflow, wait_for, wait_status
from tests.support import client_for, lifespan


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    try:
        yield exporter
    finally:
        tracing.use_tracer_provider(None)
        provider.shutdown()


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
