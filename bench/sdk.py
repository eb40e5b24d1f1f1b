"""One SDK worker per language (noop handler, concurrency 64) against `valkyr serve` as a
real process: runs/s through the worker, the requests/s (and CPU) it cost the service,
and the requests/s of the same worker while idle.

Requests are counted where they land: the service's access log (uvicorn, one line per
request, as `valkyr serve` logs by default), by operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from bench.api import ROOT, _tail, cpu_of, free_port
from bench.pg import PgCpu, Server

WORKERS = Path(__file__).parent / "sdk_workers"
TS_CLIENT = ROOT / "clients" / "typescript"
MODULE = "bench.noop"
REQUEST = re.compile(r'"(GET|POST) /v1/([^" ]+) HTTP')


def _operation(path: str) -> str:
    """claim, heartbeat (batch), complete, fail, release or other."""
    if path.startswith("Run/") and path.count("/") == 2:
        return path.rsplit("/", 1)[1]  # Run/<id>/complete
    return path.removeprefix("Run/") if path.startswith("Run/") else "other"


def count_requests(log: Path, start: int, end: int) -> Counter[str]:
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode(errors="replace")
    return Counter(_operation(m.group(2)) for m in REQUEST.finditer(text))


def _node_script(script: Path, home: Path) -> list[str]:
    node = shutil.which("node")
    if node is None or not (TS_CLIENT / "dist" / "worker.js").exists():
        raise FileNotFoundError("node or clients/typescript/dist (make ts-build)")
    link = home / "node_modules" / "valkyr-client"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(TS_CLIENT, target_is_directory=True)
    shutil.copyfile(script, home / script.name)
    return [node, str(home / script.name)]


async def _wait_http(base: str, proc: subprocess.Popen[bytes], log: Path, within: float) -> None:
    t0 = time.monotonic()
    async with httpx.AsyncClient(timeout=2) as c:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.returncode}): {_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if (await c.get(f"{base}/v1/health")).status_code == 200:
                    return
            if time.monotonic() - t0 > within:
                raise RuntimeError(f"server did not answer /health in time: {_tail(log)}")
            await asyncio.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@contextlib.asynccontextmanager
async def running_service(
    server: Server, opts: dict[str, Any], home: Path
) -> AsyncIterator[dict[str, Any]]:
    """`valkyr serve` on a fresh database, no in-process runners, a runner key made."""
    from custom.db.pools import create_pool

    db_url = await server.fresh("sdk")
    port, key = free_port(), "vk_bench_" + secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log_path = home / "service.log"
    log = open(log_path, "wb")  # noqa: ASYNC230 - once, before the measured part
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "VALKYR_BOOTSTRAP_KEY": key,
        "VALKYR_RUNNERS": "0",
    }
    service = subprocess.Popen(  # noqa: ASYNC220 - the server under test, started once
        [sys.executable, "-m", "custom.cli", "serve", "--no-migrate"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pool = await create_pool(db_url, min_size=1, max_size=4)
    try:
        await _wait_http(base, service, log_path, opts["api_startup_timeout"])
        async with httpx.AsyncClient(
            base_url=f"{base}/v1", headers={"Authorization": f"Bearer {key}"}
        ) as c:
            r = await c.post("/ApiKey", json={"name": "bench", "role": "runner"})
            r.raise_for_status()
        yield {
            "base": base,
            "key": r.json()["secret"],
            "pid": service.pid,
            "log": log_path,
            "pool": pool,
        }
    finally:
        _stop(service)
        log.close()
        await pool.close()
        await server.drop(db_url)


async def one_language(
    server: Server, opts: dict[str, Any], svc: dict[str, Any], lang: str, home: Path
) -> dict[str, Any]:
    from bench.engine import insert_workflow
    from custom.executions.start import start_many

    pool, log_path, n = svc["pool"], svc["log"], opts["sdk_runs"]
    module = f"bench.noop.{lang}"
    wf = await insert_workflow(pool, f"bench-sdk-{lang}", [{"key": "p", "module": module}])
    if lang == "python":
        command = [sys.executable, str(WORKERS / "noop_worker.py")]
    else:
        command = _node_script(WORKERS / "noop_worker.mjs", home / "node")
    count = opts.get("sdk_workers", 1)
    logs = [home / f"worker-{lang}-{i}.log" for i in range(count)]
    workers = [
        subprocess.Popen(  # noqa: ASYNC220
            command,
            env={
                **os.environ,
                "VALKYR_URL": svc["base"],
                "VALKYR_API_KEY": svc["key"],
                "RUNNER_ID": f"bench:{lang}-{i}",
                "CONCURRENCY": str(opts["sdk_concurrency"]),
                "MODULE": module,
                "PYTHONUNBUFFERED": "1",
            },
            stdout=open(log, "wb"),  # noqa: ASYNC230, SIM115
            stderr=subprocess.STDOUT,
        )
        for i, log in enumerate(logs)
    ]
    try:
        t0 = time.monotonic()
        for worker, worker_log in zip(workers, logs, strict=True):
            while b"ready" not in worker_log.read_bytes():  # noqa: ASYNC230
                if worker.poll() is not None or time.monotonic() - t0 > 30:
                    raise RuntimeError(f"{lang} worker did not start: {_tail(worker_log)}")
                await asyncio.sleep(0.05)

        # idle: what a worker with nothing to do costs (the long-poll, no heartbeat)
        idle_start = log_path.stat().st_size
        await asyncio.sleep(opts["sdk_idle_seconds"])
        idle = count_requests(log_path, idle_start, log_path.stat().st_size)

        # busy: n noop runs submitted at once; the worker drains them
        busy_start = log_path.stat().st_size
        s_cpu, w_cpu = cpu_of(svc["pid"]), sum(cpu_of(w.pid) for w in workers)
        pg_cpu = PgCpu(server.postmaster_pid())
        pg_cpu.start()
        t_submit = time.monotonic()
        for i in range(0, n, 250):
            async with pool.acquire() as conn:
                await start_many(conn, wf, [{"i": j} for j in range(i, min(i + 250, n))])

        async def done() -> bool:
            return (
                await pool.fetchval(
                    "SELECT count(*) FROM runs WHERE status = 'SUCCEEDED' AND module = $1",
                    module,
                )
                >= n
            )

        while not await done():
            if time.monotonic() - t_submit > opts["phase_timeout"] * 3:
                raise RuntimeError(f"{lang}: runs not done in time: {_tail(logs[0])}")
            await asyncio.sleep(0.05)
        wall = time.monotonic() - t_submit
        service_cpu = cpu_of(svc["pid"]) - s_cpu
        worker_cpu = sum(cpu_of(w.pid) for w in workers) - w_cpu
        db_cpu = pg_cpu.stop()
        busy = count_requests(log_path, busy_start, log_path.stat().st_size)
    finally:
        for worker in workers:
            _stop(worker)
    requests = sum(busy.values())
    return {
        "workers": count,
        "runs": n,
        "runs_per_s": round(n / wall, 1),
        "wall_seconds": round(wall, 2),
        "service_requests": dict(sorted(busy.items())),
        "service_requests_per_s": round(requests / wall, 1),
        "requests_per_run": round(requests / n, 3),
        "service_cpu_ms_per_run": round(1000 * service_cpu / n, 3),
        "worker_cpu_ms_per_run": round(1000 * worker_cpu / n, 3),  # all workers together
        "db_cpu_ms_per_run": None if db_cpu is None else round(1000 * db_cpu / n, 3),
        "idle_seconds": opts["sdk_idle_seconds"],
        "idle_requests": dict(sorted(idle.items())),
        "idle_requests_per_s": round(sum(idle.values()) / opts["sdk_idle_seconds"], 3),
    }


async def sdk(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "settings": {
            "concurrency": opts["sdk_concurrency"],
            "handler": "noop (returns {})",
            "worker": "defaults: lease 60 s, heartbeat 5 s, waitSeconds 10",
            "service": "valkyr serve, 1 process, VALKYR_RUNNERS=0, access log on (default)",
            "submit": "start_many, 250 per transaction, all at once",
        }
    }
    with tempfile.TemporaryDirectory(prefix="vksdk") as tmp:
        async with running_service(server, opts, Path(tmp)) as svc:
            for lang in ("python", "node"):  # one after the other, against the same service
                home = Path(tmp) / lang
                home.mkdir()
                try:
                    out[lang] = await one_language(server, opts, svc, lang, home)
                except FileNotFoundError as exc:  # no Node: the Python figure still stands
                    out[lang] = {"skipped": str(exc)}
    return out
