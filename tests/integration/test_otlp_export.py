"""`OTEL_EXPORTER_OTLP_ENDPOINT=… valkyr serve` exports over OTLP/HTTP out of the box:
a real service process, a small receiver, one trace per execution with its runs, the
queries made under them and the call of an `http` step (which the called service
continues) inside it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.engine_support import ServiceProcess, wait_for
from tests.local_servers import HttpRecorder, OtlpReceiver, ReceivedSpan

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]
KEY = "vk_otlp_export_test_key_000000000000000000000000"


async def test_each_execution_arrives_as_one_trace_with_its_runs(
    db_url: str, tmp_path: Path
) -> None:
    with OtlpReceiver() as collector, HttpRecorder() as called:
        service = ServiceProcess(
            db_url,
            tmp_path,
            KEY,
            VALKYR_RUNNERS="2",
            VALKYR_POLL_SECONDS="0.1",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",  # ms: export within a moment, not every 5 s
        )
        try:
            await service.wait_ready()
            executions = await run_two_executions(service, f"{called.base}/hook")

            def runs_of(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
                return [s for s in spans if s.name.startswith("run ")]

            async def all_runs_exported() -> bool:
                return len(runs_of(collector.received())) >= 4

            await wait_for(all_runs_exported, 30, 0.1)
        finally:
            service.stop()
    spans = collector.received()
    traces: dict[str, list[ReceivedSpan]] = defaultdict(list)
    for span in spans:
        traces[span.trace_id].append(span)
    trace_of = {}
    for execution in executions:
        runs = [s for s in runs_of(spans) if s.attributes.get("execution.id") == str(execution)]
        assert sorted(s.name for s in runs) == ["run call", "run done"]
        (trace_id,) = {s.trace_id for s in runs}  # one trace per execution
        trace_of[execution] = trace_id
        (submit,) = [s for s in traces[trace_id] if s.name == "POST /v1/WorkflowExecution"]
        assert submit.parent_span_id == ""
        assert {s.parent_span_id for s in runs} == {submit.span_id}  # the runs under it
        queries = [s for s in traces[trace_id] if s.attributes.get("db.system.name")]
        assert any(q.parent_span_id == submit.span_id for q in queries)  # the submit's INSERT
        assert submit.resource["service.name"] == "valkyr"
    assert len(set(trace_of.values())) == 2
    # the runner's claims and heartbeats run under no span: they start no trace of their own
    assert not [s for s in spans if s.attributes.get("db.system.name") and not s.parent_span_id]
    # the called service continued the trace of the execution whose step called it, from
    # the client span of that call, under its run
    by_id = {s.span_id: s for s in spans}
    called_traces = set()
    for request in called.received():
        _version, trace_id, parent_id, _flags = request.headers["traceparent"].split("-")
        called_traces.add(trace_id)
        client_span = by_id[parent_id]
        assert client_span.trace_id == trace_id
        assert by_id[client_span.parent_span_id].name == "run call"
    assert called_traces == set(trace_of.values())


async def run_two_executions(service: ServiceProcess, url: str) -> list[uuid.UUID]:
    headers = {"X-API-Key": KEY}
    async with httpx.AsyncClient(base_url=service.url, headers=headers, timeout=10) as api:
        steps = [
            {"key": "call", "module": "http", "config": {"url": url}},
            {"key": "done", "module": "noop", "dependsOn": ["call"]},
        ]
        r = await api.post("/Workflow", json={"name": "traced", "steps": steps})
        assert r.status_code == 201, r.text
        workflow = r.json()["id"]
        executions = []
        for n in range(2):
            r = await api.post(
                "/WorkflowExecution", json={"workflowId": workflow, "inputs": {"n": n}}
            )
            assert r.status_code in (200, 201, 202), r.text
            executions.append(uuid.UUID(r.json()["id"]))

        async def completed() -> bool:
            statuses = [
                (await api.get(f"/WorkflowExecution/{e}")).json()["status"] for e in executions
            ]
            assert "FAILED" not in statuses, statuses
            return statuses == ["COMPLETED"] * 2

        await wait_for(completed, 30, 0.1)
    return executions
