"""How the Python worker sorts the service's answers: retry (5xx, 429, no answer, not
JSON), give the run up (404/409), or stop retrying (other 4xx). The HTTP exchange is
replayed by httpx.MockTransport; the real service is in tests/clients."""

from __future__ import annotations

import httpx
import pytest
from valkyr_client import Client
from valkyr_client.worker import protocol
from valkyr_client.worker.protocol import LeaseLost, Rejected, Unavailable

RUN = "00000000-0000-4000-8000-000000000001"
PROBLEM = {"type": "about:blank", "title": "x", "status": 0, "detail": "why"}


def _client(status: int, body: object = None, content: bytes | None = None) -> Client:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer k"
        assert request.url.path == f"/v1/Run/{RUN}/complete"
        if content is not None:
            return httpx.Response(status, content=content)
        return httpx.Response(status, json=body)

    return Client(
        "http://service.invalid", api_key="k", httpx_args={"transport": httpx.MockTransport(answer)}
    )


@pytest.mark.parametrize(
    ("status", "body", "content", "raised"),
    [
        (503, PROBLEM, None, Unavailable),
        (500, None, b"<html>bad gateway</html>", Unavailable),
        (429, PROBLEM, None, Unavailable),
        (409, PROBLEM, None, LeaseLost),
        (404, PROBLEM, None, LeaseLost),
        (400, PROBLEM, None, Rejected),
        (403, PROBLEM, None, Rejected),
        (200, None, b"not json", Unavailable),
    ],
)
@pytest.mark.asyncio
async def test_answers_are_sorted_into_what_the_worker_does_next(
    status: int, body: object, content: bytes | None, raised: type[Exception]
) -> None:
    with pytest.raises(raised):
        await protocol.complete(_client(status, body, content), "w", RUN, 1, {"ok": True})


@pytest.mark.asyncio
async def test_a_network_error_is_worth_another_try() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = Client(
        "http://service.invalid/v1",
        api_key="k",
        httpx_args={"transport": httpx.MockTransport(refuse)},
    )
    with pytest.raises(Unavailable):
        await protocol.complete(client, "w", RUN, 1, None)


def test_the_api_prefix_is_added_once() -> None:
    assert Client("http://h:8080").base_url == "http://h:8080/v1"
    assert Client("http://h:8080/v1/").base_url == "http://h:8080/v1"
