"""A concurrency limit shared by two real service processes (`valkyr serve`): both take
submissions and both run executions, yet never two executions with one key are
RUNNING at once, and every one completes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.engine_support import ServiceProcess, wait_for
from tests.support import ADMIN_KEY

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(120)]

ENV = {
    "VALKYR_RUNNERS": "4",
    "VALKYR_HEARTBEAT_SECONDS": "0.3",
    "VALKYR_POLL_SECONDS": "0.1",
    "VALKYR_REAPER_INTERVAL_SECONDS": "0.5",
    "VALKYR_SHUTDOWN_GRACE_SECONDS": "1",
}
KEYS = ["c0", "c1", "c2"]
EXECUTIONS = 30


async def _overlaps(db: asyncpg.Pool) -> list[tuple[str, str, str]]:
    """Pairs of executions with one key whose RUNNING spans overlap (a slot freed and
    taken in one transaction gives the same instant: that is no overlap)."""
    rows = await db.fetch(
        "SELECT concurrency_key, id, started_at, finished_at FROM workflow_executions"
        " ORDER BY concurrency_key, started_at"
    )
    found = []
    for a, b in zip(rows, rows[1:], strict=False):
        if a["concurrency_key"] == b["concurrency_key"] and b["started_at"] < a["finished_at"]:
            found.append((a["concurrency_key"], str(a["id"]), str(b["id"])))
    return found


async def test_two_service_processes_never_run_two_executions_of_one_key(
    db: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    services = [ServiceProcess(db_url, tmp_path, ADMIN_KEY, **ENV) for _ in range(2)]
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        await asyncio.gather(*(s.wait_ready() for s in services))
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            workflow = {
                "name": "one-per-customer",
                "steps": [{"key": "work", "module": "sleep", "config": {"seconds": 0.1}}],
                "concurrency": {"key": "${inputs.customerId}", "limit": 1},
            }
            r = await client.post(f"{services[0].url}/Workflow", json=workflow)
            assert r.status_code == 201, r.text
            wf = r.json()["id"]

            async def submit(n: int) -> dict:
                body = {"workflowId": wf, "inputs": {"customerId": KEYS[n % 3], "n": n}}
                r = await client.post(f"{services[n % 2].url}/WorkflowExecution", json=body)
                assert r.status_code == 201, r.text
                return r.json()

            submitted = await asyncio.gather(*(submit(n) for n in range(EXECUTIONS)))
        assert {e["status"] for e in submitted} <= {"RUNNING", "PENDING"}

        async def all_completed() -> bool:
            return (
                await db.fetchval(
                    "SELECT count(*) FROM workflow_executions WHERE status = 'COMPLETED'"
                )
                == EXECUTIONS
            )

        await wait_for(all_completed, 60, 0.2)
    finally:
        for s in services:
            s.stop()
    assert await _overlaps(db) == []
    owners = await db.fetch("SELECT DISTINCT lease_owner FROM runs")
    assert len(owners) == 2, owners  # both processes ran some
    logs = "".join(s.output() for s in services)
    assert "Traceback" not in logs, logs[-3000:]
