"""Real runner processes killed (SIGKILL) and frozen (SIGSTOP): nothing lost, nothing twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.engine_support import (
    CountingServer,
    RunnerProcess,
    insert_workflow,
    start,
    wait_for,
    wait_status,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]


async def test_sigkill_mid_run_another_runner_finishes_it_with_the_same_key(
    db, db_url: str, tmp_path: Path
) -> None:
    # the first call hangs long enough for the runner to die during it
    slow_first = lambda n, key: (200, {"n": n}, 3.0 if n == 1 else 0.0)  # noqa: E731
    with CountingServer(slow_first) as server:
        wf = await insert_workflow(
            db,
            [
                {
                    "key": "charge",
                    "module": "http",
                    "config": {"url": server.url},
                    "inputs": {"amount": "${inputs.amount}"},
                    "retry": {"maxAttempts": 3},
                }
            ],
        )
        a = RunnerProcess(db_url, "A", tmp_path)
        b = None
        try:
            await a.wait_ready()
            execution_id = await start(db, wf, {"amount": 100})
            await wait_for(lambda: _hits(server), 15)
            a.signal(signal.SIGKILL)
            a.proc.wait(5)
            b = RunnerProcess(db_url, "B", tmp_path)
            await b.wait_ready()
            assert (
                await wait_status(db, execution_id, "COMPLETED", "FAILED", within=30) == "COMPLETED"
            )
        finally:
            a.stop()
            if b:
                b.stop()
        runs = await db.fetch(
            "SELECT attempt, status, lease_owner, idempotency_key, error FROM runs ORDER BY attempt"
        )
        assert [(r["attempt"], r["status"], r["lease_owner"]) for r in runs] == [
            (1, "FAILED", "@A"),
            (2, "SUCCEEDED", "@B"),
        ]
        assert runs[0]["error"]["type"] == "lease_expired"
        key = runs[0]["idempotency_key"]
        assert runs[1]["idempotency_key"] == key
        assert set(server.hits) == {key} and server.hits[key] <= 2
        assert (
            await db.fetchval("SELECT count(*) FROM workflow_executions WHERE status = 'COMPLETED'")
            == 1
        )
        assert (
            await db.fetchval("SELECT value FROM engine_counters WHERE name = 'leases_reclaimed'")
            == 1
        )


async def _hits(server: CountingServer) -> int:
    return server.total


async def test_frozen_runner_loses_its_lease_and_its_late_result_is_refused(
    db, db_url: str, tmp_path: Path
) -> None:
    # hit 1 (runner A) answers after 2 s; A is frozen meanwhile and wakes after B finished
    slow_first = lambda n, key: (200, {"n": n}, 2.0 if n == 1 else 0.0)  # noqa: E731
    with CountingServer(slow_first) as server:
        wf = await insert_workflow(
            db, [{"key": "call", "module": "http", "config": {"url": server.url}}]
        )
        a = RunnerProcess(db_url, "A", tmp_path)
        b = None
        try:
            await a.wait_ready()
            execution_id = await start(db, wf, {"x": 1})
            await wait_for(lambda: _hits(server), 15)
            a.signal(signal.SIGSTOP)
            b = RunnerProcess(db_url, "B", tmp_path)
            await b.wait_ready()
            assert (
                await wait_status(db, execution_id, "COMPLETED", "FAILED", within=30) == "COMPLETED"
            )
            a.signal(signal.SIGCONT)
            await wait_for(lambda: _said(a, "result discarded"), 15)
        finally:
            a.stop()
            if b:
                b.stop()
        runs = await db.fetch(
            "SELECT attempt, status, lease_owner, output FROM runs ORDER BY attempt"
        )
        assert [(r["attempt"], r["status"], r["lease_owner"]) for r in runs] == [
            (1, "FAILED", "@A"),
            (2, "SUCCEEDED", "@B"),
        ]
        outputs = await db.fetchval("SELECT outputs FROM workflow_executions")
        assert outputs["call"]["body"] == {"n": 2}  # B's answer, not A's late one
        assert server.total == 2


async def _said(runner: RunnerProcess, text: str) -> bool:
    return text in runner.output()


async def test_sigterm_gives_unfinished_runs_back_without_using_an_attempt(
    db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, [{"key": "long", "module": "sleep", "inputs": {"seconds": 30}}])
    a = RunnerProcess(db_url, "A", tmp_path, VALKYR_SHUTDOWN_GRACE_SECONDS="0.5")
    try:
        await a.wait_ready()
        await start(db, wf)
        await wait_for(lambda: db.fetchval("SELECT status = 'LEASED' FROM runs"), 15)
        a.signal(signal.SIGTERM)
        assert a.proc.wait(15) == 0
    finally:
        a.stop()
    run = await db.fetchrow("SELECT attempt, status, lease_owner FROM runs")
    assert (run["attempt"], run["status"], run["lease_owner"]) == (1, "PENDING", None)
    assert "gave back 1 unfinished run" in a.output()
