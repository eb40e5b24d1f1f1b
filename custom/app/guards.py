"""An ASGI guard in front of connexion: body size, UTF-8 and NUL characters.

It reads the body once (up to the limit), rejects what PostgreSQL or the JSON
validator would choke on with a 4xx problem, and replays the body downstream.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custom.app.errors import PROBLEM, problem_body

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def body_problem(body: bytes, content_type: str) -> tuple[int, str, str] | None:
    """Why this body must be refused, or None when it may pass."""
    if not body or "json" not in content_type:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "The request body is not valid UTF-8", "invalid-encoding"
    if "\\u0000" in text or "\x00" in text:
        try:
            if _has_nul(json.loads(text)):
                return 400, "NUL characters (U+0000) are not allowed", "invalid-value"
        except ValueError:
            return None  # the validator answers malformed JSON itself
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def _refuse(self, send: Send, status: int, title: str, detail: str, kind: str) -> None:
        body = problem_body(status, title, detail, kind)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = self.max_body_bytes
        too_large = (
            "Payload Too Large",
            f"The request body is larger than {limit} bytes",
            "payload-too-large",
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, 413, *too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, 413, *too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        refusal = body_problem(body, headers.get("content-type", ""))
        if refusal:
            status, detail, kind = refusal
            await self._refuse(send, status, "Bad Request", detail, kind)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
