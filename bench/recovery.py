"""`recovery`: how fast the engine works again after a database fault.

Each repeat runs three cases against a PostgreSQL of its own (bench/faults.py), with
the engine's default timings (poll 1 s, heartbeat 2 s) unless the case says:

- kill: the postmaster SIGKILLed with a backlog of runs, started again; measured
  from the moment it accepts connections to the engine's first claim;
- fast_restart: `pg_ctl restart -m fast`, measured the same way;
- partition: a `valkyr runner` process in a network namespace (lease 5 s) loses its
  link for 7 s while runs wait for it; measured from the link coming back to its
  first heartbeat and to its first claim. Skipped (with the reason) where network
  namespaces cannot be made (not root).

Every case also checks that all its executions completed (nothing lost).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.engine import insert_workflow
from bench.faults import DisposablePostgres, NetnsLink, TcpProxy, netns_available, wait_accepting

ROOT = Path(__file__).resolve().parents[1]


def _wall(moment: float) -> datetime.datetime:
    """A monotonic moment as a wall-clock timestamp (to compare with claimed_at)."""
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(
        seconds=time.monotonic() - moment
    )


async def _first_claim_after(pool: asyncpg.Pool, since: datetime.datetime) -> float | None:
    first = await pool.fetchval("SELECT min(claimed_at) FROM runs WHERE claimed_at >= $1", since)
    return None if first is None else round((first - since).total_seconds(), 3)


async def _all_completed(pool: asyncpg.Pool, n: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = await pool.fetchval(
            "SELECT count(*) FROM workflow_executions WHERE status = 'COMPLETED'"
        )
        if done >= n:
            return True
        await asyncio.sleep(0.2)
    return False


async def _submit(pool: asyncpg.Pool, wf: Any, n: int, tag: str) -> None:
    from custom.executions.start import start_many

    async with pool.acquire() as conn:
        await start_many(conn, wf, [{"i": f"{tag}-{i}"} for i in range(n)])


async def _restart_case(pg: DisposablePostgres, opts: dict[str, Any], *, crash: bool) -> dict:
    from bench.engine import engine_settings
    from custom.db.pools import create_pool
    from custom.engine.services import start_engine

    n = opts["recovery_n"]
    pool = await create_pool(pg.url, max_size=10)
    harness = await create_pool(pg.url, max_size=2)
    engine = None
    try:
        await pool.execute("TRUNCATE workflows CASCADE")
        wf = await insert_workflow(
            harness, "recovery", [{"key": "s", "module": "sleep", "inputs": {"seconds": 0.2}}]
        )
        settings = engine_settings(pg.url, {**opts, "slots": 32, "lease_seconds": 30.0})
        engine = await start_engine(settings, pg.url, pool, runners=32)
        await _submit(harness, wf, n, "r")
        await asyncio.sleep(0.5)  # mid-way: runs leased, sleeping, and a backlog waiting
        await harness.close()
        await asyncio.to_thread(pg.kill if crash else pg.restart_fast)
        if crash:
            await asyncio.to_thread(pg.start)
        back = await wait_accepting(pg.url)
        since = _wall(back)
        harness = await create_pool(pg.url, max_size=2)
        completed = await _all_completed(harness, n, opts["phase_timeout"])
        return {
            "recovery_s": await _first_claim_after(harness, since),
            "all_completed": completed,
        }
    finally:
        if engine is not None:
            await engine.stop()
        await pool.close()
        await harness.close()


def _through(host: str, port: int, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", f"postgres@{host}:{port}", parts.path or "/postgres", "", ""))


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "w") as out:
        return subprocess.Popen(
            [*argv, "--no-migrate"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def _partition_case(pg: DisposablePostgres, opts: dict[str, Any]) -> dict:
    from custom.db.pools import create_pool

    why_not = netns_available()
    if why_not is not None:
        return {"skipped": why_not}
    link = NetnsLink()
    proxy = TcpProxy(f"{pg.socket_dir}/.s.PGSQL.5432")
    harness = await create_pool(pg.url, max_size=2)
    runner = None
    log = Path(pg.base) / "runner.log"
    try:
        await proxy.start(link.host_ip)
        await harness.execute("TRUNCATE workflows CASCADE")
        wf = await insert_workflow(harness, "partition", [{"key": "n", "module": "noop"}])
        env = {
            **os.environ,
            "DATABASE_URL": _through(link.host_ip, proxy.port, pg.url),
            "VALKYR_RUNNER_ID": "netns",
            "VALKYR_RUNNERS": "16",
            "VALKYR_LEASE_SECONDS": "5",
            "VALKYR_HEARTBEAT_SECONDS": "1",
        }
        runner = _spawn(link.inside([sys.executable, "-m", "custom.cli", "runner"]), env, log)
        deadline = time.monotonic() + 30
        while "runner @netns ready" not in log.read_text():  # the service's own runners are @…
            if runner.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"runner did not start:\n{log.read_text()[-2000:]}")
            await asyncio.sleep(0.1)
        link.cut()
        await _submit(harness, wf, opts["recovery_n"], "p")
        await asyncio.sleep(7.0)  # longer than the 5 s lease
        link.restore()
        since = datetime.datetime.now(datetime.UTC)
        first_beat = None
        deadline = time.monotonic() + 30
        while first_beat is None and time.monotonic() < deadline:
            first_beat = await harness.fetchval(
                "SELECT heartbeat_at FROM runner_leases WHERE runner_id = 'netns'"
                " AND heartbeat_at >= $1",
                since,
            )
            await asyncio.sleep(0.01)
        completed = await _all_completed(harness, opts["recovery_n"], opts["phase_timeout"])
        return {
            "first_heartbeat_s": None
            if first_beat is None
            else round((first_beat - since).total_seconds(), 3),
            "first_claim_s": await _first_claim_after(harness, since),
            "all_completed": completed,
        }
    finally:
        if runner is not None:
            runner.terminate()
            try:
                runner.wait(15)
            except subprocess.TimeoutExpired:
                runner.kill()
        link.close()
        await proxy.close()
        await harness.close()


async def recovery(_server: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """One repeat of the three cases (the shared bench server is not touched)."""
    from custom.db.migrate import upgrade_async

    pg = await asyncio.to_thread(DisposablePostgres)
    try:
        await upgrade_async(pg.url)
        return {
            "kill": await _restart_case(pg, opts, crash=True),
            "fast_restart": await _restart_case(pg, opts, crash=False),
            "partition": await _partition_case(pg, opts),
        }
    finally:
        await asyncio.to_thread(pg.close)
