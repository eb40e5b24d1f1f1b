"""A wait is a row, not a coroutine: the service process is SIGKILLed while a step waits
for its signal, a new one starts on the same database, and the signal sent to it
completes the step and the execution."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.engine_support import ServiceProcess, insert_workflow, start, wait_for, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(120)]

KEY = "vk_chaos_admin_key_for_the_wait_test_only_00000000"
STEPS = [
    {"key": "approval", "module": "wait", "config": {"signal": "approved"}},
    {"key": "after", "module": "noop", "dependsOn": ["approval"], "inputs": {"ok": True}},
]


async def _waiting(db: asyncpg.Pool, execution_id: uuid.UUID) -> bool:
    status = await db.fetchval(
        "SELECT status FROM runs WHERE execution_id = $1 AND step_key = 'approval'",
        execution_id,
    )
    return status == "WAITING"


async def test_a_wait_outlives_a_killed_service(db, db_url: str, tmp_path: Path) -> None:
    wf = await insert_workflow(db, STEPS)
    first = ServiceProcess(db_url, tmp_path, KEY, VALKYR_RUNNERS=2)
    second = None
    try:
        await first.wait_ready()
        execution_id = await start(db, wf)
        await wait_for(lambda: _waiting(db, execution_id), 15)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)

        second = ServiceProcess(db_url, tmp_path, KEY, VALKYR_RUNNERS=2)
        await second.wait_ready()
        async with httpx.AsyncClient(
            base_url=second.url, headers={"X-API-Key": KEY}, timeout=30
        ) as api:
            r = await api.post(
                f"/WorkflowExecution/{execution_id}/signal",
                json={"name": "approved", "payload": {"by": "after the crash"}},
            )
        assert r.status_code == 201, r.text
        assert await wait_status(db, execution_id, "COMPLETED", within=30) == "COMPLETED"
        output = await db.fetchval(
            "SELECT output FROM runs WHERE execution_id = $1 AND step_key = 'approval'",
            execution_id,
        )
        assert output == {"by": "after the crash"}
    finally:
        first.stop()
        if second is not None:
            second.stop()
