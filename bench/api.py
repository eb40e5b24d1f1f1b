"""The real service (uvicorn in a subprocess) driven over loopback with httpx."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.pg import PgCpu, Server
from bench.stats import latency_summary

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(pid: int) -> float:
    with contextlib.suppress(psutil.Error):
        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    return 0.0


def _tail(path: Path, n: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "(no log)"


async def _drive(
    clients: list[httpx.AsyncClient],
    seconds: float,
    request: Any,
) -> dict[str, Any]:
    lat: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            i = next(counter)
            t0 = time.perf_counter()
            try:
                resp = await request(client, i)
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            lat.append(time.perf_counter() - t0)
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1

    t0 = time.monotonic()
    await asyncio.gather(*(worker(c) for c in clients))
    wall = time.monotonic() - t0
    return {
        "requests": len(lat),
        "requests_per_s": round(len(lat) / wall, 1),
        "latency": latency_summary(lat),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": len(errors),
        "first_errors": errors[:3],
        "wall_seconds": round(wall, 2),
    }


@dataclass
class Served:
    """`valkyr serve` under test: its process, API base URL and admin headers."""

    proc: subprocess.Popen[bytes]
    base: str
    headers: dict[str, str]
    startup_seconds: float

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes (from /proc)."""
        return sum(cpu_of(pid) for pid in self.pids())

    def pids(self) -> list[int]:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.proc.pid)
            return [self.proc.pid, *(c.pid for c in root.children(recursive=True))]
        return [self.proc.pid]


@contextlib.asynccontextmanager
async def serve(
    server: Server, name: str, opts: dict[str, Any], **env: str
) -> AsyncIterator[Served]:
    """A fresh database and the service on a free port, answering /health; stopped
    (and the database dropped) on the way out. `env`: more of its settings."""
    db_url = await server.fresh(name)
    port = free_port()
    key = "vk_bench_" + secrets.token_hex(16)
    settings = {
        "DATABASE_URL": db_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "VALKYR_BOOTSTRAP_KEY": key,
        "VALKYR_RUNNERS": str(opts["api_runners"]),
        **env,
    }
    log_path = Path(tempfile.gettempdir()) / f"valkyr-bench-{name}-{port}.log"
    log = open(log_path, "wb")  # noqa: ASYNC230 - once, before the measured part
    proc = subprocess.Popen(  # noqa: ASYNC220 - the server under test, started once
        [sys.executable, "-m", "custom.cli", "serve", "--no-migrate", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/v1"
    headers = {"Authorization": f"Bearer {key}"}
    try:
        t0 = time.monotonic()
        async with httpx.AsyncClient(base_url=base, timeout=5) as c:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited ({proc.returncode}): {_tail(log_path)}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await c.get("/health")).status_code == 200:
                        break
                if time.monotonic() - t0 > opts["api_startup_timeout"]:
                    raise RuntimeError(f"server did not answer /health in time: {_tail(log_path)}")
                await asyncio.sleep(0.1)
        yield Served(proc, base, headers, round(time.monotonic() - t0, 2))
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        with contextlib.suppress(OSError):
            log_path.unlink()
        await server.drop(db_url)


async def api(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with serve(server, "api", opts) as served, contextlib.AsyncExitStack() as stack:
        proc = served.proc
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=served.base, headers=served.headers, limits=one, timeout=30
                )
            )
            for _ in range(opts["api_workers"])
        ]
        c = clients[0]
        resp = await c.post(
            "/Workflow", json={"name": "bench-api", "steps": [{"key": "p", "module": "noop"}]}
        )
        resp.raise_for_status()
        wf_id = resp.json()["id"]
        nonce = secrets.token_hex(4)
        created: list[str] = []

        async def post(client: httpx.AsyncClient, i: int) -> httpx.Response:
            r = await client.post(
                "/WorkflowExecution", json={"workflowId": wf_id, "inputs": {"n": nonce, "i": i}}
            )
            if r.status_code in (200, 201):
                created.append(r.json()["id"])
            return r

        async def get(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.get(f"/WorkflowExecution/{created[i % len(created)]}")

        # a short warm-up: connections, prepared statements, caches
        await _drive(clients, min(1.0, opts["api_seconds"] / 5), post)
        results: dict[str, Any] = {"startup_seconds": served.startup_seconds}
        hooks = opts.get("hooks") or {}
        if "server_started" in hooks:  # bench.profile: attach a profiler to the server
            await hooks["server_started"](proc.pid)
        pg_cpu = PgCpu(server.postmaster_pid())
        for name, call in (
            ("POST /WorkflowExecution", post),
            ("GET /WorkflowExecution/{id}", get),
        ):
            s0 = cpu_of(proc.pid)
            c0 = time.process_time()
            pg_cpu.start()
            res = await _drive(clients, opts["api_seconds"], call)
            server_cpu = cpu_of(proc.pid) - s0
            client_cpu = time.process_time() - c0
            db_cpu = pg_cpu.stop()
            n = max(res["requests"], 1)
            res["server_cpu_ms_per_request"] = round(1000 * server_cpu / n, 3)
            res["client_cpu_ms_per_request"] = round(1000 * client_cpu / n, 3)
            res["db_cpu_ms_per_request"] = None if db_cpu is None else round(1000 * db_cpu / n, 3)
            results[name] = res
        if "server_done" in hooks:
            await hooks["server_done"]()
        results["settings"] = {
            "workers": opts["api_workers"],
            "seconds_each": opts["api_seconds"],
            "VALKYR_RUNNERS": opts["api_runners"],
            "server": "python -m custom.cli serve (uvicorn, uvloop, httptools, 1 process)",
            "client": "one httpx.AsyncClient (one keep-alive connection) per worker, "
            "in the bench process (same 2 cores)",
        }
        return results
