"""Spans from libraries, by OpenTelemetry's own instrumentations.

* `instrument_http_client(client)`: a client span per request of the engine's shared
  httpx client (the `http` module), and the W3C `traceparent` header that lets the
  called service continue the run's trace;
* `instrument_queries(provider)`: a span per asyncpg query. Only queries made under
  a span are kept (`QueriesUnderASpan`): the runner's claims, heartbeats and polls run
  outside any request or run and would otherwise each start a trace of their own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

# the attribute every database span carries (old and new semantic conventions)
_DB_SYSTEM = ("db.system", "db.system.name")


class QueriesUnderASpan(Sampler):
    """For spans without a parent: drop database spans, sample the rest with `delegate`."""

    def __init__(self, delegate: Sampler = ALWAYS_ON) -> None:
        self.delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        if attributes and any(key in attributes for key in _DB_SYSTEM):
            return SamplingResult(Decision.DROP)
        return self.delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"QueriesUnderASpan{{{self.delegate.get_description()}}}"


def _stable_attribute_names() -> None:
    """The stable attribute names, as the service's own request spans use them
    (http.request.method, http.response.status_code, db.query.text), unless
    OTEL_SEMCONV_STABILITY_OPT_IN says otherwise. Read once, by the first instrumentation."""
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http,database")


def sampler() -> Sampler:
    """Children follow their parent's decision; roots are sampled unless they are queries."""
    return ParentBased(root=QueriesUnderASpan())


def instrument_queries(provider: trace.TracerProvider) -> None:
    """Patch asyncpg (process-wide, once) so its queries are spans of `provider`."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    _stable_attribute_names()
    instrumentor = AsyncPGInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


def instrument_http_client(client: httpx.AsyncClient, provider: trace.TracerProvider) -> None:
    """Client spans (and `traceparent`) for the requests `client` sends."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    _stable_attribute_names()
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
