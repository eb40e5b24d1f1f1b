"""A run handed off to its runner (leased in the transaction that completed the step
before it) is a lease like any other: kill -9 that runner and the reaper takes it back."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.engine_support import RunnerProcess, insert_workflow, start, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]


async def test_sigkill_of_a_runner_holding_a_handed_off_run_the_reaper_reclaims_it(
    db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "first", "module": "noop"},
            {
                "key": "long",
                "module": "sleep",
                "inputs": {"seconds": 30},
                "dependsOn": ["first"],
                "retry": {"maxAttempts": 3},
            },
        ],
    )
    a = RunnerProcess(db_url, "A", tmp_path, VALKYR_HAND_OFF="true")
    b = None
    try:
        await a.wait_ready()
        await start(db, wf)

        async def handed_to_a() -> bool:
            # still untouched since the hand-off: one transaction wrote both rows last
            rows = await db.fetch(
                "SELECT step_key, status, lease_owner, xmin::text AS x FROM runs ORDER BY step_key"
            )
            return len(rows) == 2 and rows[1]["status"] == "LEASED"

        await wait_for(handed_to_a, 15)
        first, long = await db.fetch(
            "SELECT step_key, status, lease_owner, xmin::text AS x FROM runs ORDER BY step_key"
        )
        assert (first["status"], long["lease_owner"]) == ("SUCCEEDED", a.runner_id)
        assert first["x"] == long["x"]  # handed off, not claimed afterwards
        a.signal(signal.SIGKILL)
        a.proc.wait(5)
        b = RunnerProcess(db_url, "B", tmp_path)

        async def taken_over() -> bool:
            owner = await db.fetchval(
                "SELECT lease_owner FROM runs WHERE step_key = 'long' AND attempt = 2"
            )
            return owner == b.runner_id

        await wait_for(taken_over, 30)
        reaped = await db.fetchrow(
            "SELECT status, lease_owner, error FROM runs WHERE step_key = 'long' AND attempt = 1"
        )
    finally:
        a.stop()
        if b:
            b.stop()
    assert (reaped["status"], reaped["lease_owner"]) == ("FAILED", a.runner_id)
    assert reaped["error"]["type"] == "lease_expired"
    assert await db.fetchval("SELECT count(*) FROM runs WHERE step_key = 'first'") == 1
