"""A runner cut off from PostgreSQL for longer than its lease, then reconnected.

Runner A lives in a network namespace of its own and reaches the database over a
veth pair (through a proxy on the host side). While its link is down its lease
expires; runner B's reaper hands the runs over and B completes them. When the link
comes back, A's late results are refused by fencing and dropped, A carries on
(heartbeating again, no restart), and nothing completed twice or went missing.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import pytest

from bench.faults import NetnsLink, TcpProxy, netns_available
from tests.engine_support import RunnerProcess, insert_workflow, start, wait_for, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(120)]

EXECUTIONS = 5
SLEEP_SECONDS = 8  # A's steps end after the link is back: their results meet the fence


def _through(proxy_host: str, port: int, db_url: str) -> str:
    parts = urlsplit(db_url)
    user = parts.username or "postgres"
    return urlunsplit(("postgresql", f"{user}@{proxy_host}:{port}", parts.path, "", ""))


def _socket_of(db_url: str) -> str:
    return parse_qs(urlsplit(db_url).query)["host"][0] + "/.s.PGSQL.5432"


async def test_partitioned_runner_loses_its_runs_to_another_and_its_late_results_are_refused(
    db: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    why_not = netns_available()
    if why_not is not None:
        pytest.skip(f"PARTITION TEST NOT RUN: {why_not} (CI runs it as root)")
    if "host=" not in db_url:
        pytest.skip("PARTITION TEST NOT RUN: needs the embedded server's Unix socket")
    link = NetnsLink()
    proxy = TcpProxy(_socket_of(db_url))
    a = b = None
    try:
        await proxy.start(link.host_ip)
        wf = await insert_workflow(
            db, [{"key": "work", "module": "sleep", "inputs": {"seconds": SLEEP_SECONDS}}]
        )
        a = RunnerProcess(
            _through(link.host_ip, proxy.port, db_url),
            "A",
            tmp_path,
            prefix=link.inside([]),
            VALKYR_RUNNERS=8,
        )
        await a.wait_ready()
        executions = [await start(db, wf, {"n": n}) for n in range(EXECUTIONS)]

        async def all_leased_by_a() -> bool:
            return (
                await db.fetchval(
                    "SELECT count(*) FROM runs WHERE status = 'LEASED' AND lease_owner = 'A'"
                )
                == EXECUTIONS
            )

        await wait_for(all_leased_by_a, 20)
        link.cut()
        b = RunnerProcess(db_url, "B", tmp_path, VALKYR_RUNNERS=8)

        async def all_taken_over_by_b() -> bool:
            return (
                await db.fetchval(
                    "SELECT count(*) FROM runs WHERE status = 'LEASED' AND lease_owner = 'B'"
                )
                == EXECUTIONS
            )

        await wait_for(all_taken_over_by_b, 30)
        await asyncio.sleep(2)  # well past A's lease: it must not trust its runs any more
        link.restore()
        restored = datetime.datetime.now(datetime.UTC)
        healed = time.monotonic()

        async def a_heartbeats_again() -> datetime.datetime | None:
            return await db.fetchval(
                "SELECT heartbeat_at FROM runner_leases WHERE runner_id = 'A'"
                " AND heartbeat_at > $1",
                restored,
            )

        beat_at = await wait_for(a_heartbeats_again, 30)
        recovery = (beat_at - restored).total_seconds()
        print(f"partition healed → runner A's first heartbeat: {recovery:.3f} s")
        for execution_id in executions:
            assert await wait_status(db, execution_id, "COMPLETED", "FAILED", within=40) == (
                "COMPLETED"
            )

        async def a_dropped_all() -> bool:
            return a.output().count("result discarded") >= EXECUTIONS

        await wait_for(a_dropped_all, SLEEP_SECONDS + 10)
        assert a.proc.poll() is None and time.monotonic() - healed > 0  # A never exited
    finally:
        if a is not None:
            a.stop()
        if b is not None:
            b.stop()
        link.close()
        await proxy.close()
    runs = await db.fetch(
        "SELECT execution_id, attempt, status, lease_owner, error FROM runs"
        " ORDER BY execution_id, attempt"
    )
    by_execution: dict[object, list[tuple[int, str, str]]] = {}
    for r in runs:
        by_execution.setdefault(r["execution_id"], []).append(
            (r["attempt"], r["status"], r["lease_owner"])
        )
    assert all(
        steps == [(1, "FAILED", "A"), (2, "SUCCEEDED", "B")] for steps in by_execution.values()
    ), by_execution
    assert all(r["error"]["type"] == "lease_expired" for r in runs if r["attempt"] == 1)
    assert await db.fetchval("SELECT count(*) FROM runs WHERE status = 'SUCCEEDED'") == EXECUTIONS
    assert "is not leased to 'A'" in a.output()  # refused by the fence, not given up quietly
