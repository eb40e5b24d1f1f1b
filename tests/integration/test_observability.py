"""Metrics and traces over the real app and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client.parser import text_string_to_metric_families

from custom.auth.keys import create_key
from custom.observability import metrics as m
from custom.observability import tracing
from tests.support import client_for

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]


def sample_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of a Prometheus text page."""
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            values[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return values


def value(values: dict, name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(c: httpx.AsyncClient) -> dict:
    r = await c.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return sample_values(r.text)


async def seed(db: asyncpg.Pool) -> None:
    """Rows written the way the engine writes them, straight in SQL."""
    wf = await db.fetchval(
        "INSERT INTO workflows (name, version, steps) VALUES ('m', 1, '[]') RETURNING id"
    )
    ex = await db.fetchval(
        "INSERT INTO workflow_executions (workflow_id, workflow_version, status,"
        " idempotency_key, request_hash) VALUES ($1, 1, 'RUNNING', 'k', 'h') RETURNING id",
        wf,
    )
    runs = [
        # (step, module, status, held, available in seconds)
        ("a", "http", "PENDING", False, -5),  # ready
        ("b", "http", "PENDING", False, -1),  # ready
        ("c", "noop", "PENDING", False, -1),  # ready
        ("d", "noop", "PENDING", True, -1),  # held: not ready
        ("e", "noop", "PENDING", False, 3600),  # backing off: not ready
        ("f", "http", "LEASED", False, -10),
        ("g", "noop", "SUCCEEDED", False, -10),
        ("h", "noop", "SUCCEEDED", False, -10),
        ("i", "fail", "DEAD_LETTERED", False, -10),
        ("j", "fail", "DEAD_LETTERED", False, -10),
    ]
    ids = {}
    for step, module, status, held, delay in runs:
        ids[step] = await db.fetchval(
            "INSERT INTO runs (execution_id, step_key, module, status, held, available_at,"
            " idempotency_key) VALUES ($1, $2, $3, $4, $5,"
            " now() + make_interval(secs => $6), $7) RETURNING id",
            ex,
            step,
            module,
            status,
            held,
            float(delay),
            f"{ex}:{step}",
        )
    for step, status in (("i", "QUARANTINED"), ("j", "DISCARDED")):
        await db.execute(
            "INSERT INTO dead_letters (run_id, execution_id, step_key, reason, attempts, status)"
            " VALUES ($1, $2, $3, 'boom', 3, $4)",
            ids[step],
            ex,
            step,
            status,
        )
    await db.execute(
        "INSERT INTO circuit_breaker_states (key, state) VALUES"
        " ('http:api.example.com', 'OPEN'), ('http:ok.example.com', 'CLOSED')"
    )
    await db.execute(
        "INSERT INTO engine_counters (name, value) VALUES ('leases_reclaimed', 7)"
        " ON CONFLICT (name) DO UPDATE SET value = 7"
    )


async def test_metrics_page_has_engine_and_database_metrics(
    app: Any, client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    before = await scrape(client)
    await seed(db)
    engine = app.state["engine"].context.metrics  # the app's own engine's metrics
    engine.observe_dispatch(0.0004)
    engine.observe_dispatch(0.02)
    engine.observe_dispatch(30.0)  # beyond the last bucket: only +Inf
    engine.observe_run("noop", "SUCCEEDED", 0.03)
    engine.observe_run("noop", "SUCCEEDED", 0.5)
    engine.observe_run("http", "FAILED", 2.0)
    engine.count_lease_reclaimed(2)
    engine.count_heartbeat_failed(1)
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # histograms (process-local): count, sum and buckets moved by what was observed
    assert delta("valkyr_dispatch_latency_seconds_count") == 3
    assert delta("valkyr_dispatch_latency_seconds_sum") == pytest.approx(30.0204)
    assert delta("valkyr_dispatch_latency_seconds_bucket", le="0.001") == 1
    assert delta("valkyr_dispatch_latency_seconds_bucket", le="0.025") == 2
    assert delta("valkyr_dispatch_latency_seconds_bucket", le="10.0") == 2
    assert delta("valkyr_dispatch_latency_seconds_bucket", le="+Inf") == 3
    assert delta("valkyr_run_duration_seconds_count", module="noop", status="SUCCEEDED") == 2
    assert delta("valkyr_run_duration_seconds_count", module="http", status="FAILED") == 1
    assert delta("valkyr_run_duration_seconds_sum", module="noop", status="SUCCEEDED") == (
        pytest.approx(0.53)
    )
    assert delta("valkyr_process_leases_reclaimed_total") == 2
    assert delta("valkyr_process_heartbeats_failed_total") == 1

    # database gauges: this test's rows exactly
    assert value(after, "valkyr_database_up") == 1
    runs = {s: value(after, "valkyr_runs", status=s) for s in ("PENDING", "LEASED", "SUCCEEDED")}
    assert runs == {"PENDING": 5, "LEASED": 1, "SUCCEEDED": 2}
    assert value(after, "valkyr_runs", status="DEAD_LETTERED") == 2
    assert ("valkyr_runs", (("status", "CANCELLED"),)) in after  # known statuses show as 0
    assert value(after, "valkyr_queue_depth", module="http") == 2
    assert value(after, "valkyr_queue_depth", module="noop") == 1
    assert ("valkyr_queue_depth", (("module", "fail"),)) not in after
    assert value(after, "valkyr_dead_letters_open") == 1
    assert value(after, "valkyr_circuit_breaker_state", key="http:api.example.com", state="OPEN")
    assert not value(
        after, "valkyr_circuit_breaker_state", key="http:api.example.com", state="CLOSED"
    )
    assert value(after, "valkyr_circuit_breaker_state", key="http:ok.example.com", state="CLOSED")
    assert value(after, "valkyr_leases_reclaimed_total") == 7
    assert value(before, "valkyr_leases_reclaimed_total") == 0


async def test_metrics_roles(app: Any, db: asyncpg.Pool) -> None:
    for role, status in (("viewer", 200), ("operator", 200), ("runner", 403)):
        _, secret = await create_key(db, role, role)
        async with client_for(app, secret) as c:
            assert (await c.get("/metrics")).status_code == status, role
    async with client_for(app, None) as anonymous:
        assert (await anonymous.get("/metrics")).status_code == 401


async def test_metrics_render_when_the_database_is_down() -> None:
    text = m.render(m.EngineMetrics(), m.DatabaseSnapshot(up=False)).decode()
    values = sample_values(text)
    assert value(values, "valkyr_database_up") == 0
    assert value(values, "valkyr_dispatch_latency_seconds_count") == 0
    assert not any(name == "valkyr_runs" for name, _ in values)


async def test_engine_metrics_are_per_instance() -> None:
    """Two EngineMetrics never share numbers, and nothing lands in the global registry."""
    from prometheus_client import REGISTRY

    a, b = m.EngineMetrics(), m.EngineMetrics()
    a.observe_run("noop", "SUCCEEDED", 1.0)
    va = sample_values(m.render(a, m.DatabaseSnapshot()).decode())
    vb = sample_values(m.render(b, m.DatabaseSnapshot()).decode())
    assert value(va, "valkyr_run_duration_seconds_count", module="noop", status="SUCCEEDED") == 1
    assert value(vb, "valkyr_run_duration_seconds_count", module="noop", status="SUCCEEDED") == 0
    assert REGISTRY.get_sample_value("valkyr_dispatch_latency_seconds_count") is None


# --- traces ---------------------------------------------------------------------------------


async def test_a_request_makes_a_server_span(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    missing = uuid.uuid4()
    r = await client.get(f"/Workflow/{missing}")
    assert r.status_code == 404
    (span,) = spans.get_finished_spans()
    assert span.name == "GET /v1/Workflow/{id}"
    assert span.kind == SpanKind.SERVER
    assert span.attributes["http.route"] == "/v1/Workflow/{id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["url.path"] == f"/v1/Workflow/{missing}"
    assert span.attributes["http.response.status_code"] == 404
    assert span.status.status_code != StatusCode.ERROR


async def test_a_request_continues_the_callers_trace(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    r = await client.get("/Workflow", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    assert r.status_code == 200
    (span,) = spans.get_finished_spans()
    assert span.name == "GET /v1/Workflow"
    assert format(span.context.trace_id, "032x") == trace_id
    assert format(span.parent.span_id, "016x") == parent_id


async def test_refused_and_unrouted_requests_are_traced_too(
    app: Any, spans: InMemorySpanExporter
) -> None:
    async with client_for(app, None) as anonymous:
        assert (await anonymous.get("/Workflow")).status_code == 401
        assert (await anonymous.get("/nowhere")).status_code == 404
    denied, unrouted = spans.get_finished_spans()
    assert denied.name == "GET /v1/Workflow"
    assert denied.attributes["http.response.status_code"] == 401
    assert unrouted.name == "GET"  # no route template: no unbounded span names
    assert "http.route" not in unrouted.attributes


async def test_run_span_continues_the_stored_trace(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    # what submit does: inside the request's span, store the carrier with the execution
    tracer = tracing.tracer()
    with tracer.start_as_current_span("submit") as submit:
        carrier = tracing.inject_context()
    trace_id = format(submit.get_span_context().trace_id, "032x")
    assert carrier["traceparent"].split("-")[1] == trace_id

    # later, elsewhere (a runner): the run's span joins that trace
    with tracing.run_span("run noop", carrier, {"valkyr.run_id": "r1", "attempt": 2}) as span:
        tracing.add_event("retry", {"attempt": 2, "delay_seconds": 1.5, "error": None})
        tracing.add_event("breaker_transition", {"from": "CLOSED", "to": "OPEN"})
        assert span.is_recording()
    finished = {s.name: s for s in spans.get_finished_spans()}
    run, parent = finished["run noop"], finished["submit"]
    assert run.context.trace_id == parent.context.trace_id
    assert run.parent.span_id == parent.context.span_id
    assert run.attributes["valkyr.run_id"] == "r1" and run.attributes["attempt"] == 2
    assert [e.name for e in run.events] == ["retry", "breaker_transition"]
    assert dict(run.events[0].attributes) == {"attempt": 2, "delay_seconds": 1.5}


async def test_run_span_records_errors_and_works_without_a_carrier(
    spans: InMemorySpanExporter,
) -> None:
    with pytest.raises(RuntimeError), tracing.run_span("run fail", None, {"module": "fail"}):
        raise RuntimeError("boom")
    (span,) = spans.get_finished_spans()
    assert span.parent is None  # a new trace
    assert span.status.status_code == StatusCode.ERROR
    assert any(e.name == "exception" for e in span.events)


async def test_tracing_off_costs_nothing_and_injects_nothing(client: httpx.AsyncClient) -> None:
    if tracing.enabled():
        pytest.skip("OTEL_* exporter settings are present in this environment")
    assert tracing.inject_context() == {}
    with tracing.run_span("run noop", {}, {}) as span:
        tracing.add_event("lease_lost", {})  # no-op, no error
        assert not span.is_recording()
    assert trace.get_current_span().get_span_context().is_valid is False
    assert (await client.get("/Workflow")).status_code == 200


CONFIGURE = """
from opentelemetry import trace
from custom.observability import tracing
print("enabled", tracing.configure_tracing(), flush=True)
with tracing.run_span("run noop", None, {"attempt": 1}):
    tracing.add_event("retry", {"attempt": 2})
getattr(trace.get_tracer_provider(), "force_flush", lambda: None)()
"""


@pytest.mark.parametrize(
    ("env", "enabled", "exported"),
    [
        ({}, False, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True, True),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, False, False),
        # an exporter that is not installed: a clear warning, no crash
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, False, False),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, False, False),
    ],
)
async def test_tracing_is_configured_from_otel_variables(
    env: dict[str, str], enabled: bool, exported: bool
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CONFIGURE,
        cwd=ROOT,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out = (await asyncio.wait_for(proc.communicate(), 60))[0].decode()
    assert proc.returncode == 0, out
    assert f"enabled {enabled}" in out
    assert ('"name": "run noop"' in out) == exported
    if exported:
        assert '"service.name": "valkyr"' in out and '"name": "retry"' in out
    if env.get("OTEL_TRACES_EXPORTER") in ("zipkin", "otlp"):
        assert "no such exporter is installed (installed: console, otlp_proto_http" in out
