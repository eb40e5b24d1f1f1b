"""HTTP limits of `valkyr serve` (issue 11, item 5), against a real server process on a
free port, with raw sockets: header size and count, a deadline for unfinished requests
(slowloris), a cap on connections, parser errors, each a problem+json answer where the
server can still give one.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from tests.engine_support import ServiceProcess
from tests.support import ADMIN_KEY, clone_database, drop_database

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 20
TIMEOUT = 1.5
MAX_CONNECTIONS = 4
HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server ended the connection after it

    def problem(self) -> dict:
        assert self.headers["content-type"] == "application/problem+json", self.headers
        return json.loads(self.body)


@dataclass
class Server:
    process: ServiceProcess
    db_url: str

    @property
    def port(self) -> int:
        return self.process.port

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.proc.pid}/status").read_text()
        return int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        )


@pytest_asyncio.fixture(scope="module")
async def server(
    pg_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    db_url = await clone_database(pg_template)
    process = ServiceProcess(
        db_url,
        tmp_path_factory.mktemp("serve"),
        ADMIN_KEY,
        VALKYR_RUNNERS=0,
        VALKYR_HTTP_MAX_HEADER_BYTES=MAX_HEADER_BYTES,
        VALKYR_HTTP_MAX_HEADERS=MAX_HEADERS,
        VALKYR_HTTP_REQUEST_TIMEOUT_SECONDS=TIMEOUT,
        VALKYR_HTTP_MAX_CONNECTIONS=MAX_CONNECTIONS,
    )
    try:
        await process.wait_ready()
        yield Server(process, db_url)
    finally:
        process.stop()
        await drop_database(pg_template, db_url)


async def read_answer(reader: asyncio.StreamReader, within: float = 10.0) -> Answer:
    async with asyncio.timeout(within):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            closed = await asyncio.wait_for(reader.read(1), 3) == b""
        except TimeoutError:
            closed = False
    return Answer(status, headers, body, closed)


async def connect(server: Server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def test_ordinary_requests_pass_several_on_one_connection(server: Server) -> None:
    reader, writer = await connect(server)
    try:
        for _ in range(3):
            writer.write(HEALTH)
            answer = await read_answer_keepalive(reader)
            assert answer.status == 200
    finally:
        writer.close()


async def read_answer_keepalive(reader: asyncio.StreamReader) -> Answer:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        n.strip().lower(): v.strip() for n, _, v in (x.partition(":") for x in lines[1:] if x)
    }
    body = await reader.readexactly(int(headers["content-length"]))
    return Answer(int(lines[0].split()[1]), headers, body, False)


async def test_a_64_mb_header_is_a_431_and_is_never_buffered(server: Server) -> None:
    rss_before = server.rss_kib()
    reader, writer = await connect(server)
    chunk = b"a" * 65536
    writer.write(b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Big: ")
    sent = 0
    try:
        while sent < 64 * 1024 * 1024:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
    except ConnectionError:
        pass  # the server closed after answering: it need not read all of it
    answer = await read_answer(reader)
    writer.close()
    assert answer.status == 431
    assert answer.problem()["type"] == "/problems/headers-too-large"
    assert str(MAX_HEADER_BYTES) in answer.problem()["detail"]
    assert answer.closed
    # 64 MB went by; the server kept none of it (it took +200 MB before the limit)
    assert server.rss_kib() - rss_before < 16 * 1024


async def test_a_head_just_under_the_limit_passes(server: Server) -> None:
    filler = b"x" * (MAX_HEADER_BYTES - 200)
    reader, writer = await connect(server)
    writer.write(b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Fill: " + filler + b"\r\n\r\n")
    answer = await read_answer_keepalive(reader)
    writer.close()
    assert answer.status == 200


async def test_too_many_header_fields_is_a_431(server: Server) -> None:
    reader, writer = await connect(server)
    fields = b"".join(b"X-F%d: 1\r\n" % i for i in range(MAX_HEADERS + 1))
    writer.write(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n")
    answer = await read_answer(reader)
    writer.close()
    assert answer.status == 431 and answer.closed
    assert answer.problem()["type"] == "/problems/headers-too-many"


async def test_a_head_that_trickles_in_is_a_408_after_the_deadline(server: Server) -> None:
    """slowloris: a byte of header now and then, never the blank line."""
    reader, writer = await connect(server)
    began = time.monotonic()
    writer.write(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n")

    async def trickle() -> None:
        for i in range(100):
            await asyncio.sleep(0.2)
            writer.write(b"X-%d: 1\r\n" % i)

    dripping = asyncio.create_task(trickle())
    try:
        answer = await read_answer(reader, within=TIMEOUT + 5)
    finally:
        dripping.cancel()
        writer.close()
    took = time.monotonic() - began
    assert answer.status == 408 and answer.closed
    assert answer.problem()["type"] == "/problems/request-timeout"
    assert TIMEOUT - 0.1 <= took < TIMEOUT + 3


async def test_a_body_that_stalls_is_a_408_and_changes_nothing(server: Server) -> None:
    conn = await asyncpg.connect(server.db_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM workflows")
        reader, writer = await connect(server)
        writer.write(
            b"POST /v1/Workflow HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + ADMIN_KEY.encode() + b"\r\nContent-Length: 200\r\n\r\n"
            b'{"name": "stalled", "steps": ['
        )
        answer = await read_answer(reader, within=TIMEOUT + 5)
        writer.close()
        assert answer.status == 408 and answer.closed
        assert await conn.fetchval("SELECT count(*) FROM workflows") == before
    finally:
        await conn.close()


async def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    reader, _writer = await connect(server)
    began = time.monotonic()
    assert await asyncio.wait_for(reader.read(), TIMEOUT + 5) == b""
    assert time.monotonic() - began >= TIMEOUT - 0.1


async def test_a_long_poll_outlives_the_request_deadline(server: Server) -> None:
    """The deadline is for receiving a request, not for answering it."""
    body = json.dumps({"runnerId": "r", "modules": ["none"], "waitSeconds": TIMEOUT + 1}).encode()
    reader, writer = await connect(server)
    began = time.monotonic()
    writer.write(
        b"POST /v1/Run/claim HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"X-API-Key: " + ADMIN_KEY.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    answer = await read_answer_keepalive(reader)
    writer.close()
    assert answer.status == 200 and json.loads(answer.body) == {"items": []}
    assert time.monotonic() - began >= TIMEOUT + 1


async def test_one_connection_over_the_cap_is_a_503_at_once(server: Server) -> None:
    held = [await connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        for reader, writer in held[:1]:  # the ones within the cap are served
            writer.write(HEALTH)
            assert (await read_answer_keepalive(reader)).status == 200
        reader, writer = await connect(server)
        answer = await read_answer(reader, within=TIMEOUT)  # before any deadline
        writer.close()
        assert answer.status == 503 and answer.closed
        assert int(answer.headers["retry-after"]) >= 1
        assert answer.problem()["type"] == "/problems/too-many-connections"
    finally:
        for _reader, writer in held:
            writer.close()
            await writer.wait_closed()
    await asyncio.sleep(0.3)  # the server sees them go
    reader, writer = await connect(server)
    writer.write(HEALTH)
    assert (await read_answer_keepalive(reader)).status == 200
    writer.close()


async def test_a_request_the_parser_cannot_read_is_a_400_problem(server: Server) -> None:
    reader, writer = await connect(server)
    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
    answer = await read_answer(reader)
    writer.close()
    assert answer.status == 400 and answer.closed
    assert answer.problem()["type"] == "/problems/invalid-http"
