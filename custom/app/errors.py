"""Every error becomes an `application/problem+json` answer (RFC 9457).

Database errors map by SQLSTATE class: 22 (bad data, e.g. a NUL character) is
a 400, 23 (a constraint) a 409; anything else unexpected is a logged 500.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import asyncpg
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from generated.operations import ALLOWED_METHODS, BASE_PATH

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem_body(status: int, title: str, detail: str, kind: str, **extra: Any) -> bytes:
    body = {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return json.dumps(body).encode()


def problem_response(
    status: int, title: str, detail: str, kind: str, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        body=problem_body(status, title, detail, kind),
        content_type=PROBLEM,
        headers=headers or {},
    )


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error, from asyncpg or SQLAlchemy's wrapper of it."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        state = getattr(node, "sqlstate", None) or getattr(node, "pgcode", None)
        if isinstance(state, str):
            return state
        node = getattr(node, "orig", None) or node.__cause__
    return None


def _database_error(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    state = sqlstate_of(exc) or ""
    if state.startswith("22"):
        return problem_response(
            400,
            "Bad Request",
            "A value was rejected by the database "
            f"(SQLSTATE {state}); NUL characters are not allowed",
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


def _unicode_error(_req: ConnexionRequest, _exc: Exception) -> ConnexionResponse:
    return problem_response(
        400, "Bad Request", "The request body is not valid UTF-8", "invalid-encoding"
    )


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


_ALLOW = [(_template_regex(BASE_PATH + path), methods) for path, methods in ALLOWED_METHODS.items()]


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods the spec declares for a concrete path (static paths win)."""
    matches = [methods for regex, methods in _ALLOW if regex.match(path)]
    return matches[0] if matches else ()


def _method_not_allowed(req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    methods = allowed_methods(req.url.path)
    allow = ", ".join(sorted(set(methods) | ({"HEAD"} if "GET" in methods else set())))
    return problem_response(
        405,
        "Method Not Allowed",
        f"{req.method} is not allowed here; allowed: {allow}",
        "method-not-allowed",
        headers={"Allow": allow},
    )


def _http_error(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    from connexion.http_facts import HTTP_STATUS_CODES

    title = HTTP_STATUS_CODES.get(exc.status_code, "Error")
    kind = title.lower().replace(" ", "-")
    return problem_response(
        exc.status_code, title, str(exc.detail), kind, headers=dict(exc.headers or {})
    )


def _unexpected(_req: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if sqlstate_of(exc):
        return _database_error(_req, exc)
    log.error("unhandled error", exc_info=exc)
    return problem_response(
        500, "Internal Server Error", "An unexpected error occurred", "internal"
    )


def install_error_handlers(app: Any) -> None:
    app.add_error_handler(405, _method_not_allowed)
    app.add_error_handler(404, _http_error)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(DBAPIError, _database_error)
    app.add_error_handler(asyncpg.PostgresError, _database_error)
    app.add_error_handler(UnicodeDecodeError, _unicode_error)
    app.add_error_handler(Exception, _unexpected)
