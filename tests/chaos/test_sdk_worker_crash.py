"""SDK workers (Python and Node) killed (SIGKILL) and frozen (SIGSTOP) mid-run against a
real service: the run is reclaimed after the lease, finished once by another worker,
and a late result is refused and dropped."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.clients.support import LANGS, SdkWorker, runner_key, runs_of, service, start_executions
from tests.engine_support import insert_workflow, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]

STEP = [{"key": "s", "module": "sdk.test", "inputs": {"job": "${inputs.job}"}}]
# a 2 s lease kept alive every 0.3 s: a dead worker's runs come back within seconds
FAST = {"LEASE_SECONDS": 2, "HEARTBEAT_SECONDS": 0.3, "WAIT_SECONDS": 2}


@pytest.mark.parametrize("lang", LANGS)
async def test_sigkill_mid_run_another_worker_finishes_it_once(
    lang: str, db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, STEP)
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        a = SdkWorker(lang, svc, key, "sdk:a", tmp_path, **FAST)
        b = None
        try:
            await a.ready()
            (execution_id,) = await start_executions(
                db, wf, [{"job": {"do": "slow_first", "seconds": 30}}]
            )
            await a.said("started")
            a.signal(signal.SIGKILL)
            a.proc.wait(5)
            b = SdkWorker(lang, svc, key, "sdk:b", tmp_path, **FAST)
            status = await wait_status(db, execution_id, "COMPLETED", "FAILED", within=30)
        finally:
            a.stop()
            if b:
                b.stop()
    assert status == "COMPLETED"
    runs = await runs_of(db, execution_id)
    assert [(r["attempt"], r["status"], r["lease_owner"]) for r in runs] == [
        (1, "FAILED", "sdk:a"),
        (2, "SUCCEEDED", "sdk:b"),
    ]
    assert runs[0]["error"]["type"] == "lease_expired"
    assert runs[1]["output"]["by"] == "sdk:b"


@pytest.mark.parametrize("lang", LANGS)
async def test_frozen_worker_loses_its_lease_and_drops_its_late_result(
    lang: str, db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, STEP)
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        a = SdkWorker(lang, svc, key, "sdk:a", tmp_path, **FAST)
        b = None
        try:
            await a.ready()
            (execution_id,) = await start_executions(
                db, wf, [{"job": {"do": "slow_first", "seconds": 2.5}}]
            )
            await a.said("started")
            a.signal(signal.SIGSTOP)
            b = SdkWorker(lang, svc, key, "sdk:b", tmp_path, **FAST)
            status = await wait_status(db, execution_id, "COMPLETED", "FAILED", within=30)
            a.signal(signal.SIGCONT)  # its handler finishes now, long after its lease
            await a.said("lease lost", within=15)
        finally:
            a.stop()
            if b:
                b.stop()
    assert status == "COMPLETED"
    runs = await runs_of(db, execution_id)
    assert [(r["attempt"], r["status"], r["lease_owner"]) for r in runs] == [
        (1, "FAILED", "sdk:a"),
        (2, "SUCCEEDED", "sdk:b"),
    ]
    outputs = await db.fetchval("SELECT outputs FROM workflow_executions")
    assert outputs["s"]["by"] == "sdk:b"  # B's result, not A's late one
