"""How long a crashed runner's runs wait (README "When a runner dies"): until its lease
expires, then at most one reaper interval, and no sooner."""

from __future__ import annotations

import datetime
import signal
from pathlib import Path

import pytest

from tests.engine_support import RunnerProcess, insert_workflow, start, wait_for, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]
LEASE = 3.0
REAPER = 0.3
# a loaded 2-core machine may run a reaper pass late; the bound is still far below LEASE
SLACK = 1.5


async def test_a_killed_runners_run_is_taken_over_one_lease_after_its_last_heartbeat(
    db, db_url: str, tmp_path: Path
) -> None:
    env = {"VALKYR_LEASE_SECONDS": LEASE, "VALKYR_REAPER_INTERVAL_SECONDS": REAPER}
    wf = await insert_workflow(db, [{"key": "work", "module": "sleep", "inputs": {"seconds": 10}}])
    a = RunnerProcess(db_url, "A", tmp_path, **env)
    b = None
    try:
        await a.wait_ready()
        execution_id = await start(db, wf)

        async def leased_by_a() -> bool:
            owner = await db.fetchval("SELECT lease_owner FROM runs WHERE status = 'LEASED'")
            return owner == a.runner_id

        await wait_for(leased_by_a, 15)
        b = RunnerProcess(db_url, "B", tmp_path, **env)  # its reaper is up before A dies
        await b.wait_ready()
        a.signal(signal.SIGKILL)
        a.proc.wait(5)
        expires = await db.fetchval(
            "SELECT expires_at FROM runner_leases WHERE runner_id = $1", a.runner_id
        )

        async def taken_over() -> bool:
            owner = await db.fetchval("SELECT lease_owner FROM runs WHERE attempt = 2")
            return owner == b.runner_id

        await wait_for(taken_over, LEASE + 15)
        assert await wait_status(db, execution_id, "RUNNING") == "RUNNING"
        first, second = await db.fetch(
            "SELECT attempt, status, lease_owner, finished_at, available_at FROM runs"
            " ORDER BY attempt"
        )
    finally:
        a.stop()
        if b:
            b.stop()
    assert (first["status"], first["lease_owner"]) == ("FAILED", a.runner_id)
    assert (second["status"], second["lease_owner"]) == ("LEASED", b.runner_id)
    reclaimed = first["finished_at"]  # the reaper ended attempt 1 and made attempt 2 ready
    assert second["available_at"] >= reclaimed
    assert reclaimed >= expires, "taken over before the dead runner's lease expired"
    assert reclaimed - expires <= datetime.timedelta(seconds=REAPER * 1.2 + SLACK)
