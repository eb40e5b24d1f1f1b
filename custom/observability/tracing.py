"""OpenTelemetry traces, configured from the standard `OTEL_*` variables.

With no exporter configured (neither `OTEL_TRACES_EXPORTER` nor an OTLP endpoint)
the API's no-op tracer stays in place and the request middleware passes requests
straight through, so tracing costs nothing. Otherwise an SDK `TracerProvider`
is installed with the named exporters (`console` ships with the SDK; `otlp` is
OTLP over HTTP, `opentelemetry-exporter-otlp-proto-http`, a dependency), and
asyncpg's queries become spans (instrumentation.py).

The engine uses three helpers:

* `inject_context()` — a W3C `traceparent` carrier of the current span, stored
  in `workflow_executions.trace_context` when an execution is submitted;
* `run_span(name, carrier, attributes)` — a span continuing that stored trace,
  for a run's dispatch and execution;
* `add_event(name, attributes)` — an event on the current span (retry,
  lease_lost, dead_lettered, breaker_transition).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from custom.observability.instrumentation import (
    instrument_http_client,
    instrument_queries,
    sampler,
)

log = logging.getLogger(__name__)

TRACER_NAME = "valkyr"
# Stored carriers are always W3C trace context, whatever OTEL_PROPAGATORS says for HTTP.
_W3C = TraceContextTextMapPropagator()

_lock = threading.Lock()
_configured = False
_enabled = False
_override: trace.TracerProvider | None = None


def _exporter_names() -> list[str]:
    raw = os.environ.get("OTEL_TRACES_EXPORTER", "").strip()
    if raw:
        return [n.strip().lower() for n in raw.split(",") if n.strip() and n.strip() != "none"]
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    return ["otlp"] if endpoint else []


def _entry_point_name(name: str) -> str:
    """`otlp` is the exporter of OTEL_EXPORTER_OTLP_PROTOCOL; http/protobuf (the one
    installed) unless it says otherwise."""
    if name != "otlp":
        return name
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    return "otlp_proto_grpc" if protocol.strip().lower() == "grpc" else "otlp_proto_http"


def _load_exporter(name: str) -> Any | None:
    from importlib.metadata import entry_points

    found = list(entry_points(group="opentelemetry_traces_exporter", name=_entry_point_name(name)))
    if not found:
        installed = sorted({ep.name for ep in entry_points(group="opentelemetry_traces_exporter")})
        log.warning(
            "OTEL_TRACES_EXPORTER names %r but no such exporter is installed (installed: %s); "
            "traces are not exported there",
            name,
            ", ".join(installed),
        )
        return None
    return found[0].load()()


def configure_tracing() -> bool:
    """Install the SDK when an exporter is configured; True when traces are recorded.

    Idempotent and process-wide (OpenTelemetry's provider is global).
    """
    global _configured, _enabled
    with _lock:
        if _configured:
            return _enabled
        _configured = True
        if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            return False
        names = _exporter_names()
        if not names:
            return False
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        exporters = [e for e in (_load_exporter(n) for n in names) if e is not None]
        if not exporters:
            return False
        defaults = {"service.name": "valkyr"} if "OTEL_SERVICE_NAME" not in os.environ else {}
        provider = TracerProvider(resource=Resource.create(defaults), sampler=sampler())
        for exporter in exporters:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        instrument_queries(provider)
        _enabled = True
        log.info("tracing enabled, exporting to %s", ", ".join(names))
        return True


def use_tracer_provider(provider: trace.TracerProvider | None) -> None:
    """Record with this provider instead of the global one (tests); None undoes it."""
    global _override
    _override = provider


def enabled() -> bool:
    return _override is not None or _enabled


def provider() -> trace.TracerProvider:
    return _override or trace.get_tracer_provider()


def tracer() -> trace.Tracer:
    return provider().get_tracer(TRACER_NAME)


def trace_http_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """`client` with a span per request and `traceparent` sent, when tracing is on."""
    if enabled():
        instrument_http_client(client, provider())
    return client


def flush() -> None:
    """Export the spans still buffered (a server stopped by a signal never runs the SDK's
    exit hook)."""
    force_flush = getattr(provider(), "force_flush", None)
    if force_flush is not None:
        force_flush(5_000)


def inject_context() -> dict[str, str]:
    """The current span's context as a W3C carrier (`traceparent`, maybe `tracestate`).

    Empty when there is no valid current span (e.g. tracing is off).
    """
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier


@contextmanager
def run_span(
    name: str,
    carrier: Mapping[str, str] | None,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
) -> Iterator[trace.Span]:
    """A span continuing the trace in `carrier` (from `inject_context()`), made current.

    Without a carrier the span continues the current context (or starts a trace).
    An exception escaping the block is recorded on the span and re-raised.
    """
    parent = _W3C.extract(dict(carrier)) if carrier else None
    attrs = {k: _attr(v) for k, v in (attributes or {}).items() if v is not None}
    with tracer().start_as_current_span(name, context=parent, kind=kind, attributes=attrs) as span:
        yield span


def add_event(name: str, attributes: Mapping[str, Any] | None = None) -> None:
    """An event on the current span: retry, lease_lost, dead_lettered, breaker_transition."""
    span = trace.get_current_span()
    if span.is_recording():
        attrs = {k: _attr(v) for k, v in (attributes or {}).items() if v is not None}
        span.add_event(name, attributes=attrs)


def current_span() -> trace.Span:
    """The current span (a non-recording one when tracing is off), to carry elsewhere."""
    return trace.get_current_span()


@contextmanager
def on_span(span: trace.Span | None) -> Iterator[None]:
    """Make `span` (carried from another task) current for the block, without ending
    it or marking it failed: events added in the block land on it."""
    if span is None:
        yield
        return
    with trace.use_span(span, end_on_exit=False, record_exception=False,
                        set_status_on_exception=False):  # fmt: skip
        yield


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the current span, for log lines; None without one."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


_SCALARS = (str, bool, int, float)


def _attr(value: Any) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, _SCALARS) for v in value):
        return list(value)
    return str(value)
