"""A server span per HTTP request, named by the route connexion matched.

The HTTP half of tracing; the engine's half (run spans, events, the exporter) is
custom/observability/tracing.py, which loads no HTTP stack.
"""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custom.observability.tracing import enabled, tracer
from generated.operations import BASE_PATH, OPERATIONS


def route_of(scope: Scope) -> str | None:
    """`/v1/Run/{id}` for a request connexion has routed; None before or without a match."""
    routing = (scope.get("extensions") or {}).get("connexion_routing") or {}
    op = OPERATIONS.get(routing.get("operation_id") or "")
    return BASE_PATH + op.path if op else None


class TracingMiddleware:
    """A server span per HTTP request, named `METHOD /v1/route-template` once routed.

    It continues a caller's trace from its headers (OTEL_PROPAGATORS, W3C by
    default). When tracing is off it adds one function call per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not enabled():
            await self.app(scope, receive, send)
            return
        # our own extensions dict: connexion copies the scope shallowly and records
        # the matched operation in it, so the route is readable here afterwards
        extensions = dict(scope.get("extensions") or {})
        scope = {**scope, "extensions": extensions}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        parent = propagate.extract(headers)
        method = scope["method"]
        attributes = {
            "http.request.method": method,
            "url.path": scope["path"],
            "url.scheme": scope.get("scheme", "http"),
        }
        if headers.get("user-agent"):
            attributes["user_agent.original"] = headers["user-agent"]
        span = tracer().start_span(
            method, context=parent, kind=SpanKind.SERVER, attributes=attributes
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        status_code = 500

        async def send_traced(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
                route = route_of(scope)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status_code)
            await send(message)

        try:
            await self.app(scope, receive, send_traced)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        else:
            if status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        finally:
            otel_context.detach(token)
            span.end()
