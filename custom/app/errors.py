"""Every error becomes an `application/problem+json` answer (RFC 9457).

Database errors map by SQLSTATE class: 22 (bad data, e.g. a NUL character) is
a 400, 23 (a constraint) a 409; a database that cannot be reached is a 503 with
Retry-After, logged once per outage (custom.db.outage), not per request;
anything else unexpected is a logged 500.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import asyncpg
from connexion.exceptions import ProblemException
from connexion.http_facts import HTTP_STATUS_CODES
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from custom.app.paths import allowed_methods
from custom.db.outage import is_unavailable
from generated.store import InvalidValue

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem_body(status: int, title: str, detail: str, kind: str, **extra: Any) -> bytes:
    body = {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return json.dumps(body).encode()


def problem_response(
    status: int,
    title: str,
    detail: str,
    kind: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        body=problem_body(status, title, detail, kind, **extra),
        content_type=PROBLEM,
        headers=headers or {},
    )


def kind_of(title: str) -> str:
    """`Method Not Allowed` → `method-not-allowed` (the tail of a problem `type`)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "error"


# SQLSTATE class 22 (data exception) codes a client can cause, in words.
DATA_ERRORS = {
    "22000": "a value is out of the range the database stores",
    "22001": "a text is too long",
    "22003": "a number is out of range",
    "22007": "a date/time is not valid",
    "22008": "a date/time is out of range",
    "22021": "a text contains a character the database does not store (such as NUL)",
    "22P02": "a value has the wrong syntax",
    "22P05": "a text contains a character the database does not store (such as NUL)",
}


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (asyncpg's), or of the one it was raised from."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        state = getattr(node, "sqlstate", None)
        if isinstance(state, str):
            return state
        node = node.__cause__
    return None


RETRY_AFTER_SECONDS = 5


async def _unavailable(req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    watch = getattr(req.state, "outage", None)
    if watch is not None:
        watch.failed(exc)
    return problem_response(
        503,
        "Service Unavailable",
        "The database cannot be reached right now; nothing was changed. Try again shortly.",
        "database-unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database_error(req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if is_unavailable(exc):
        return await _unavailable(req, exc)
    state = sqlstate_of(exc) or ""
    if state.startswith("22"):
        why = DATA_ERRORS.get(state, "a value is not valid")
        return problem_response(
            400,
            "Bad Request",
            f"A value was rejected by the database: {why} (SQLSTATE {state})",
            "invalid-value",
        )
    if state.startswith("23"):
        kind = {"23505": "already exists", "23503": "is still referenced or refers to nothing"}
        detail = (
            f"The change conflicts with stored data: it {kind.get(state, 'breaks a constraint')}"
        )
        return problem_response(409, "Conflict", detail + f" (SQLSTATE {state})", "conflict")
    log.error("database error", exc_info=exc)
    return problem_response(500, "Internal Server Error", "A database error occurred", "internal")


async def _invalid_value(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """A value the store cannot use (generated/store.py: an id, a time, a cursor)."""
    return problem_response(400, "Bad Request", str(exc), "bad-request")


async def _unicode_error(_req: ConnexionRequest, _exc: Exception) -> ConnexionResponse:
    return problem_response(
        400, "Bad Request", "The request body is not valid UTF-8", "invalid-encoding"
    )


def allow_header(methods: tuple[str, ...]) -> str:
    return ", ".join(sorted(set(methods) | ({"HEAD"} if "GET" in methods else set())))


def method_not_allowed_body(method: str, allow: str) -> bytes:
    return problem_body(
        405,
        "Method Not Allowed",
        f"{method} is not allowed here; allowed: {allow}",
        "method-not-allowed",
    )


async def _method_not_allowed(req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    allow = allow_header(allowed_methods(req.url.path))
    return problem_response(
        405,
        "Method Not Allowed",
        f"{req.method} is not allowed here; allowed: {allow}",
        "method-not-allowed",
        headers={"Allow": allow},
    )


async def _http_error(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    title = HTTP_STATUS_CODES.get(exc.status_code, "Error")
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == title:
        detail = "No such path in this API"
    return problem_response(
        exc.status_code, title, detail, kind_of(title), headers=dict(exc.headers or {})
    )


async def _problem(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """connexion's own problems (validation, auth, 415, handlers' ProblemException)
    with a stable `type` instead of `about:blank`, and `ext` members kept."""
    assert isinstance(exc, ProblemException)
    status = int(exc.status)
    if status >= 500 and status != 501:
        log.error("server problem: %r", exc)
    title = exc.title or HTTP_STATUS_CODES.get(status, "Error")
    kind = exc.type if exc.type and exc.type != "about:blank" else f"/problems/{kind_of(title)}"
    body: dict[str, Any] = {"type": kind, "title": title, "status": status}
    if exc.detail is not None:
        body["detail"] = str(exc.detail)
    if exc.instance:
        body["instance"] = exc.instance
    body.update(exc.ext or {})
    return ConnexionResponse(
        status_code=status,
        body=json.dumps(body).encode(),
        content_type=PROBLEM,
        headers=dict(exc.headers or {}),
    )


async def _unexpected(req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if is_unavailable(exc):
        return await _unavailable(req, exc)
    if sqlstate_of(exc):
        return await _database_error(req, exc)
    log.error("unhandled error", exc_info=exc)
    return problem_response(
        500, "Internal Server Error", "An unexpected error occurred", "internal"
    )


def install_error_handlers(app: Any) -> None:
    # coroutines: connexion runs a plain function handler in a thread per error
    app.add_error_handler(405, _method_not_allowed)
    app.add_error_handler(404, _http_error)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(InvalidValue, _invalid_value)
    app.add_error_handler(asyncpg.PostgresError, _database_error)
    app.add_error_handler(UnicodeDecodeError, _unicode_error)
    app.add_error_handler(Exception, _unexpected)
