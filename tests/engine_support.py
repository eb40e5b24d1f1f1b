"""Helpers for engine tests: workflows, waiting, a counting HTTP server, runner processes."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]


async def insert_workflow(
    db: asyncpg.Pool, steps: list[dict[str, Any]], name: str = "wf"
) -> uuid.UUID:
    """A workflow stored the way the API stores it (validated, version 1)."""
    from bench.engine import insert_workflow as store

    return await store(db, name, steps)


async def start(
    db: asyncpg.Pool,
    workflow_id: uuid.UUID,
    inputs: dict[str, Any] | None = None,
    key: str | None = None,
) -> uuid.UUID:
    from custom.executions.start import start_execution

    async with db.acquire() as conn:
        started = await start_execution(conn, workflow_id, inputs or {}, idempotency_key=key)
    return started.execution["id"]


async def wait_for(
    check: Callable[[], Awaitable[Any]], within: float = 15.0, interval: float = 0.05
) -> Any:
    """Poll until `check()` returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {value!r})")
        await asyncio.sleep(interval)


async def execution_status(db: asyncpg.Pool, execution_id: uuid.UUID) -> str:
    return await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", execution_id)


async def wait_status(
    db: asyncpg.Pool, execution_id: uuid.UUID, *statuses: str, within: float = 15.0
) -> str:
    async def check() -> str | None:
        status = await execution_status(db, execution_id)
        return status if status in statuses else None

    return await wait_for(check, within)


async def all_parked(db: asyncpg.Pool, reset_at: datetime.datetime) -> bool:
    """Every execution's latest run waits, PENDING, for the breaker's reset time."""
    latest = await db.fetch(
        "SELECT DISTINCT ON (execution_id) * FROM runs ORDER BY execution_id, attempt DESC"
    )
    return all(r["status"] == "PENDING" and r["available_at"] == reset_at for r in latest)


async def claimed_between(
    db: asyncpg.Pool, since: datetime.datetime, until: datetime.datetime
) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM runs WHERE claimed_at >= $1 AND claimed_at < $2", since, until
    )


class CountingServer:
    """A local HTTP server (127.0.0.1) that counts hits per Idempotency-Key.

    `behaviour(hit_number, key)` returns (status, body, delay_seconds).
    """

    def __init__(
        self, behaviour: Callable[[int, str], tuple[int, Any, float]] | None = None
    ) -> None:
        self.behaviour = behaviour or (lambda n, key: (200, {"n": n}, 0.0))
        self.hits: Counter[str] = Counter()
        self.total = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                key = self.headers.get("idempotency-key", "")
                with server.lock:
                    server.total += 1
                    server.hits[key] += 1
                    n = server.total
                status, body, delay = server.behaviour(n, key)
                if delay:
                    time.sleep(delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client went away (killed runner)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 1024  # the default backlog of 5 refuses a burst of calls

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RunnerProcess:
    """`valkyr runner` as a real OS process against a test database."""

    def __init__(
        self, db_url: str, name: str, log_dir: Path, *, prefix: list[str] | None = None, **env: Any
    ) -> None:
        """`prefix` runs it through another command (`ip netns exec <ns>`)."""
        self.name = name
        self.log_path = log_dir / f"runner-{name}.log"
        settings = {
            "DATABASE_URL": db_url,
            "VALKYR_RUNNER_ID": name,
            "VALKYR_RUNNERS": "4",
            "VALKYR_LEASE_SECONDS": "2",
            "VALKYR_HEARTBEAT_SECONDS": "0.3",
            "VALKYR_POLL_SECONDS": "0.2",
            "VALKYR_REAPER_INTERVAL_SECONDS": "0.3",
            "VALKYR_SHUTDOWN_GRACE_SECONDS": "1",
            "VALKYR_DATA_DIR": str(log_dir / "data"),
        }
        settings.update({k: str(v) for k, v in env.items()})
        self.log = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "custom.cli", "runner", "--no-migrate"],
            cwd=ROOT,
            env={**os.environ, **settings},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    async def wait_ready(self, within: float = 20.0) -> None:
        async def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"runner {self.name} exited:\n{self.output()}")
            return f"runner {self.name} ready" in self.output()

        await wait_for(ready, within, 0.1)

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServiceProcess:
    """`valkyr serve` (API, in-process runners, reaper) as a real OS process."""

    def __init__(self, db_url: str, log_dir: Path, key: str, **env: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.key = key
        self.log_path = log_dir / f"service-{self.port}.log"
        settings = {
            "DATABASE_URL": db_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "VALKYR_BOOTSTRAP_KEY": key,
            "VALKYR_DATA_DIR": str(log_dir / "data"),
        }
        settings.update({k: str(v) for k, v in env.items()})
        self.log = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "custom.cli", "serve"],
            cwd=ROOT,
            env={**os.environ, **settings},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    async def wait_ready(self, within: float = 60.0) -> None:
        import httpx

        async with httpx.AsyncClient(timeout=2) as client:

            async def ready() -> bool:
                if self.proc.poll() is not None:
                    raise AssertionError(f"service exited:\n{self.output()}")
                try:
                    return (await client.get(f"{self.url}/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_for(ready, within, 0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
