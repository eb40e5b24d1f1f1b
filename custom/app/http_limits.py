"""Limits of the HTTP layer under `valkyr serve`: uvicorn's httptools protocol, bounded.

uvicorn 0.54 with httptools bounds none of these: a request head of any size is
buffered (a 64 MB header was read whole), a connection that sends half a request
stays open for ever, any number of connections is served, and its parser errors
are `text/plain`. This protocol adds, each a setting (README):

- the request line plus headers: at most `max_header_bytes` bytes and
  `max_headers` fields, else 431. Bytes are counted before the parser sees
  them, so no more than the limit is ever buffered;
- a whole request (head and body) must arrive within `request_timeout` seconds
  of the connection opening or the previous response ending, else 408 (a client
  that sends nothing at all is closed the same way);
- at most `max_connections` open connections: one more is answered 503 with
  Retry-After at once and closed;
- a request the parser cannot read is a 400.

Every such answer is `application/problem+json` and ends the connection. The
connection is then half-closed and drained briefly ("lingering close"), so the
client can read the answer even while it is still sending.
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from custom.app.errors import PROBLEM, problem_body

LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int = 32_768
    max_headers: int = 100
    request_timeout: float = 30.0
    max_connections: int = 1000


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """One connection. `limits` is set on the subclass `protocol_with` makes."""

    limits = HttpLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._header_count = 0
        # from a message's end (or the connection's start) to the end of the next head
        self._in_head = True
        self._heads_done = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    # -- connection ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(
                503,
                f"More than {self.limits.max_connections} connections are open; try again shortly",
                "too-many-connections",
                [(b"retry-after", b"1")],
            )
            return
        self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # draining before the close
        if not self._in_head:
            super().data_received(data)
            return
        room = self.limits.max_header_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
            return
        heads = self._heads_done
        self._head_bytes += room
        super().data_received(data[:room])
        if self._refused or self.transport.is_closing():
            return
        if self._heads_done == heads:
            self._refuse(
                431,
                "The request line and headers are larger than "
                f"{self.limits.max_header_bytes} bytes",
                "headers-too-large",
            )
            return
        self.data_received(data[room:])  # the body, or the next request's head

    # -- parser callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        if not self._refused:
            super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if not self._refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refuse(
                431,
                f"The request has more than {self.limits.max_headers} header fields",
                "headers-too-many",
            )
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._in_head = False
        self._heads_done += 1
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._cancel_deadline()  # received whole: answering it may take as long as it takes
        self._in_head, self._head_bytes, self._header_count = True, 0, 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_deadline()  # for the next request on this connection

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, f"The request is not valid HTTP: {msg}", "invalid-http")

    # -- the request deadline --------------------------------------------------------
    def _arm_deadline(self) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self.limits.request_timeout, self._deadline_passed)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self._refused or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if not cycle.more_body:
                return  # received whole: the application may take its time (re-armed after)
            if cycle.response_started:
                self.transport.close()  # the body stalls after the answer began
                return
        elif not (self._in_head and self._head_bytes):
            self.transport.close()  # idle (or the rest of a body nobody waits for)
            return
        self._refuse(
            408,
            f"The request did not arrive whole within {self.limits.request_timeout:g} s",
            "request-timeout",
        )

    # -- answering without the application --------------------------------------------
    def _refuse(
        self,
        status: int,
        detail: str,
        kind: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Answer `status` as problem+json, then half-close and drain until the client
        closes (or LINGER_SECONDS pass)."""
        self._refused = True
        self._cancel_deadline()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the application must not answer as well
            self.cycle.message_event.set()
        title = http.HTTPStatus(status).phrase
        body = problem_body(status, title, detail, kind)
        head = [f"HTTP/1.1 {status} {title}\r\n".encode()]
        for name, value in [
            *self.server_state.default_headers,
            (b"content-type", PROBLEM.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *(extra or []),
        ]:
            head.append(name + b": " + value + b"\r\n")
        self.transport.write(b"".join(head) + b"\r\n" + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:  # pragma: no cover - TCP transports can
            self.transport.close()


def protocol_with(limits: HttpLimits) -> type[LimitedHttpToolsProtocol]:
    """A protocol class for `uvicorn.run(http=...)` with these limits."""
    return type("ValkyrHttpProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})
