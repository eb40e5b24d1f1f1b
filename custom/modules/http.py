"""``http``: call an HTTP endpoint.

Config: ``method`` (default POST), ``url`` (required, http/https),
``headers`` (object of strings), ``json`` (request body; default: the step's
resolved inputs, not sent for GET/HEAD unless given explicitly),
``timeoutSeconds`` (default: the step timeout).

Every request carries ``Idempotency-Key: <run idempotency key>`` (it overrides
a configured header of that name) so the receiver can deduplicate a retried or
replayed side effect. Failure classes follow what a retry can fix: 5xx, 429,
408, timeouts and connection errors are transient; other 4xx (and unexpected
3xx, since redirects are not followed for non-idempotent calls) are permanent.
Output: ``{"status": int, "body": parsed JSON or text}``. The response body is
capped (``MAX_RESPONSE_BYTES``) because it is stored as the run's output.

Requests go through the engine's one client (``ctx.http_client``, made by
``new_client``), so runs calling one service reuse its connections; the client
keeps no cookies, so one workflow's session never reaches another's request.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx

from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError, TransientError

__all__ = ["MAX_RESPONSE_BYTES", "http_breaker_key", "new_client", "run"]

MAX_RESPONSE_BYTES = 5 * 1024 * 1024
ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NO_DEFAULT_BODY = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
_TRANSIENT_4XX = frozenset({408, 429})
_ERROR_BODY_SNIPPET = 2000


def http_breaker_key(config: Mapping[str, Any]) -> str | None:
    """The circuit-breaker key of an http step: the URL's ``host[:port]``.

    The host is lower-cased and the port kept only when given explicitly, so
    every step calling one service shares one breaker. ``None`` when the URL is
    missing or not a valid http(s) URL.
    """
    url = config.get("url")
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host


def new_client() -> httpx.AsyncClient:
    """The client an engine shares between all its runs (it closes it when it stops).

    Timeouts and redirects are set per request. No connection cap: a run waiting for a
    pooled connection would spend its step timeout queueing behind unrelated calls.
    """
    return httpx.AsyncClient(
        follow_redirects=False,
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # accepts none
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
    )


@asynccontextmanager
async def _client(ctx: ModuleContext) -> AsyncIterator[httpx.AsyncClient]:
    if ctx.http_client is not None:
        yield ctx.http_client
        return
    # called outside an engine (a test, a script): a client for this call only
    async with new_client() as client:
        yield client


def _validated_url(config: Mapping[str, Any]) -> str:
    url = config.get("url")
    if not isinstance(url, str) or not url:
        raise PermanentError("http: config.url is required")
    if http_breaker_key(config) is None:
        raise PermanentError(f"http: url must be an absolute http or https URL, got {url!r}")
    return url


def _timeout(config: Mapping[str, Any], ctx: ModuleContext) -> float:
    value = config.get("timeoutSeconds", ctx.timeout_seconds)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise PermanentError(f"http: timeoutSeconds must be a number > 0, got {value!r}")
    return float(value)


def _headers(config: Mapping[str, Any], ctx: ModuleContext) -> dict[str, str]:
    raw = config.get("headers") or {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise PermanentError("http: config.headers must be an object of strings")
    headers = {k: v for k, v in raw.items() if k.lower() != "idempotency-key"}
    headers["Idempotency-Key"] = ctx.idempotency_key
    return headers


def _parse_body(response: httpx.Response, content: bytes) -> Any:
    text = content.decode(response.encoding or "utf-8", errors="replace")
    if not content:
        return None
    content_type = response.headers.get("content-type", "").lower()
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    """Send the request; return ``{"status", "body"}`` or raise a module error."""
    url = _validated_url(config)
    method = str(config.get("method") or "POST").upper()
    if method not in ALLOWED_METHODS:
        raise PermanentError(f"http: unsupported method {method!r}")
    headers = _headers(config, ctx)
    timeout = _timeout(config, ctx)
    if "json" in config:
        body: Any = config["json"]
        send_body = True
    else:
        body = inputs
        send_body = method not in _NO_DEFAULT_BODY

    request_kwargs: dict[str, Any] = {"headers": headers}
    if send_body:
        request_kwargs["json"] = body
    try:
        async with (
            _client(ctx) as client,
            client.stream(
                method, url, timeout=timeout, follow_redirects=False, **request_kwargs
            ) as response,
        ):
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise PermanentError(
                        f"http: response body exceeds {MAX_RESPONSE_BYTES} bytes",
                        details={"status": response.status_code, "url": url},
                    )
                chunks.append(chunk)
            content = b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise TransientError(
            f"http: {method} {url} timed out after {timeout:g}s ({type(exc).__name__})",
            details={"url": url},
        ) from exc
    except httpx.InvalidURL as exc:
        raise PermanentError(f"http: invalid url {url!r}: {exc}") from exc
    except httpx.TransportError as exc:
        raise TransientError(
            f"http: {method} {url} failed: {type(exc).__name__}: {exc}", details={"url": url}
        ) from exc

    status = response.status_code
    parsed = _parse_body(response, content)
    if 200 <= status < 300:
        return {"status": status, "body": parsed}

    snippet = parsed if not isinstance(parsed, str) else parsed[:_ERROR_BODY_SNIPPET]
    details = {"status": status, "url": url, "body": snippet}
    message = f"http: {method} {url} answered {status}"
    if status >= 500 or status in _TRANSIENT_4XX:
        raise TransientError(message, details=details)
    raise PermanentError(message, details=details)


# the breaker of an http step is its service's host: declared here, read
# by the engine through modules.registry.declared_breaker_key
run.breaker_key = http_breaker_key  # type: ignore[attr-defined]
