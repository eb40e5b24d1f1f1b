"""The `http` module inside a running engine: one client per process (connections kept
across runs, no cookies carried between them, closed when the engine stops) and the
run's trace continued by the called service (`traceparent`)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from custom.observability import tracing
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for, wait_status
from tests.local_servers import HttpRecorder
from tests.support import client_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def call(key: str, url: str, *after: str) -> dict[str, Any]:
    return {"key": key, "module": "http", "config": {"url": url}, "dependsOn": list(after)}


async def test_runs_share_the_engines_client_and_its_connections(db, db_url: str) -> None:
    with HttpRecorder() as called:
        wf = await insert_workflow(
            db,
            [
                call("a", f"{called.base}/a"),
                call("b", f"{called.base}/b", "a"),
                call("c", f"{called.base}/c", "b"),
            ],
        )
        async with serve_engine(db_url, runners=2) as served:
            client = served.state["engine"].http_client
            for n in range(2):
                execution = await start(db, wf, {"n": n})
                assert await wait_status(db, execution, "COMPLETED", "FAILED") == "COMPLETED"
            assert not client.is_closed
        assert client.is_closed  # the engine closed it when it stopped
    got = called.received()
    assert [r.path for r in got] == ["/a", "/b", "/c"] * 2
    # six runs of two executions, one after the other: one kept-alive connection
    assert len({r.client_port for r in got}) == 1
    # every answer set a cookie; the shared client keeps none for the next run
    assert not [r for r in got if "cookie" in r.headers]


async def test_the_called_service_continues_the_runs_trace(
    db, db_url: str, spans: InMemorySpanExporter
) -> None:
    with HttpRecorder() as called:
        async with serve_engine(db_url, runners=2) as served, client_for(served) as api:
            r = await api.post(
                "/Workflow", json={"name": "calls", "steps": [call("hook", f"{called.base}/hook")]}
            )
            assert r.status_code == 201, r.text
            r = await api.post("/WorkflowExecution", json={"workflowId": r.json()["id"]})
            execution = uuid.UUID(r.json()["id"])
            assert await wait_status(db, execution, "COMPLETED", "FAILED") == "COMPLETED"

            async def run_span_ended() -> bool:
                return any(s.name == "run hook" for s in spans.get_finished_spans())

            await wait_for(run_span_ended, 5)
    (request,) = called.received()
    version, trace_id, parent_id, _flags = request.headers["traceparent"].split("-")
    finished = spans.get_finished_spans()
    (submit,) = [s for s in finished if s.name == "POST /v1/WorkflowExecution"]
    (run,) = [s for s in finished if s.name == "run hook"]
    (client_span,) = [
        s
        for s in finished
        if s.kind == SpanKind.CLIENT and s.parent and s.parent.span_id == run.context.span_id
    ]
    assert version == "00"
    assert int(trace_id, 16) == submit.context.trace_id == run.context.trace_id
    assert int(parent_id, 16) == client_span.context.span_id
    assert client_span.attributes["http.response.status_code"] == 200
    assert client_span.attributes["http.request.method"] == "POST"


async def test_no_traceparent_is_sent_when_tracing_is_off(db, db_url: str) -> None:
    if tracing.enabled():
        pytest.skip("OTEL_* exporter settings are present in this environment")
    with HttpRecorder() as called:
        wf = await insert_workflow(db, [call("hook", f"{called.base}/hook")])
        async with serve_engine(db_url, runners=1):
            execution = await start(db, wf, {})
            assert await wait_status(db, execution, "COMPLETED", "FAILED") == "COMPLETED"
    (request,) = called.received()
    assert "traceparent" not in request.headers
    assert request.headers["idempotency-key"]
