"""An ASGI guard in front of connexion: methods, NUL characters, body size, type and UTF-8.

- A method the spec does not declare for a path is a 405 with the spec's
  `Allow` header, decided here because connexion would route `GET /Run/claim`
  to `GET /Run/{id}` (OpenAPI matches concrete paths before templated ones).
- U+0000 in the path, the query or a header is a 400 before it can reach
  PostgreSQL (which rejects NUL in text).
- The body is read once (up to the limit); what PostgreSQL, the hashing or
  the JSON validator would choke on is refused with a 4xx problem, the rest is
  replayed downstream. A body without a `Content-Type` is a 415 on operations
  that take one: connexion would validate it as JSON and then hand the handler
  raw bytes.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custom.app.errors import PROBLEM, allow_header, method_not_allowed_body, problem_body
from custom.app.paths import allowed_methods, operation_at
from custom.json_values import contains_nul, contains_surrogate

BODY_METHODS = {"POST", "PUT", "PATCH"}
# `\ud800`-`\udfff` escapes: JSON can spell a lone UTF-16 surrogate, which is no
# character (UTF-8 cannot encode it; hashing and PostgreSQL would fail on it)
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def body_problem(body: bytes, content_type: str) -> tuple[int, str, str] | None:
    """Why this body must be refused, or None when it may pass."""
    if not body or "json" not in content_type:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "The request body is not valid UTF-8", "invalid-encoding"
    nul = "\\u0000" in text or "\x00" in text
    surrogate = SURROGATE_ESCAPE.search(text) is not None
    if not (nul or surrogate):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None  # the validator answers malformed JSON itself
    except RecursionError:
        return 400, "The request body is nested too deeply", "invalid-request"
    if nul and contains_nul(value):
        return 400, "NUL characters (U+0000) are not allowed", "invalid-value"
    if surrogate and contains_surrogate(value):
        return (
            400,
            "A text holds a lone UTF-16 surrogate (such as \\udfff), which is not a character",
            "invalid-value",
        )
    return None


def nul_location(scope: Scope) -> str | None:
    """Where a request carries U+0000 outside its body (path, query, header), if anywhere."""
    if "\x00" in scope["path"]:
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return "query"
    if any(b"\x00" in value for _name, value in scope["headers"]):
        return "headers"
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def _send_problem(
        self, send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *(extra or []),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _refuse(self, send: Send, status: int, title: str, detail: str, kind: str) -> None:
        await self._send_problem(send, status, problem_body(status, title, detail, kind))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if await self._refused_by_head(scope, send):
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body = await self._read_body(receive, send, headers)
        if body is None or await self._refused_by_body(scope, send, headers, body):
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refused_by_head(self, scope: Scope, send: Send) -> bool:
        """A method the spec does not declare here (405), or NUL outside the body."""
        method = scope["method"]
        declared = allowed_methods(scope["path"])
        if declared and method not in declared and not (method == "HEAD" and "GET" in declared):
            allow = allow_header(declared)
            body = method_not_allowed_body(method, allow)
            await self._send_problem(send, 405, body, [(b"allow", allow.encode())])
            return True
        where = nul_location(scope)
        if where:
            await self._refuse(
                send,
                400,
                "Bad Request",
                f"NUL characters (U+0000) are not allowed in the {where}",
                "invalid-value",
            )
            return True
        return False

    async def _read_body(
        self, receive: Receive, send: Send, headers: dict[str, str]
    ) -> bytes | None:
        """The whole body, read up to the limit; None when it was refused (413) or the
        client went away."""
        limit = self.max_body_bytes
        too_large = (
            "Payload Too Large",
            f"The request body is larger than {limit} bytes",
            "payload-too-large",
        )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await self._refuse(send, 413, *too_large)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, 413, *too_large)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refused_by_body(
        self, scope: Scope, send: Send, headers: dict[str, str], body: bytes
    ) -> bool:
        """A body without Content-Type (415), or one PostgreSQL or the validator would
        choke on (body_problem)."""
        if body and "content-type" not in headers:
            operation = operation_at(scope["method"], scope["path"])
            if operation is not None and operation.has_body:
                await self._refuse(
                    send,
                    415,
                    "Unsupported Media Type",
                    "The request body has no Content-Type; send it as application/json",
                    "unsupported-media-type",
                )
                return True
        refusal = body_problem(body, headers.get("content-type", ""))
        if refusal:
            status, detail, kind = refusal
            await self._refuse(send, status, "Bad Request", detail, kind)
            return True
        return False
