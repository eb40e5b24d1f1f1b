"""PostgreSQL killed (SIGKILL of the postmaster) or restarted under a working service.

A real `valkyr serve` (API, 64 runner slots, reaper) works through 1,000 two-step
executions (a `sleep` mid-flight at the fault, then an `http` call that counts its
hits per idempotency key) while its database dies and comes back. The client
retries its submissions with the same Idempotency-Key, as a real one would. After
each fault: every execution COMPLETED, every step SUCCEEDED exactly once, every
side effect happened exactly once, no run is still leased, and the service process
never exited or was restarted.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from bench.faults import DisposablePostgres, wait_accepting
from tests.engine_support import CountingServer, ServiceProcess, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(420)]

KEY = "vk_chaos_admin_key_for_this_test_only_000000000000"
EXECUTIONS = 1000
SERVICE_ENV = {
    "VALKYR_RUNNERS": 64,
    "VALKYR_LEASE_SECONDS": 30,  # far longer than an outage: no lease may expire
    "VALKYR_HEARTBEAT_SECONDS": 1,
    "VALKYR_POLL_SECONDS": 0.5,
    "VALKYR_REAPER_INTERVAL_SECONDS": 1,
    "VALKYR_DB_POOL_SIZE": 10,
}


@pytest.fixture
def pg() -> Any:
    server = DisposablePostgres()
    yield server
    server.close()


async def _create_workflow(api: httpx.AsyncClient, hook: str, name: str) -> str:
    r = await api.post(
        "/Workflow",
        json={
            "name": name,
            "steps": [
                {"key": "wait", "module": "sleep", "inputs": {"seconds": "${inputs.s}"}},
                {
                    "key": "call",
                    "module": "http",
                    "dependsOn": ["wait"],
                    "config": {"url": hook, "method": "POST"},
                    "inputs": {"i": "${inputs.i}", "slept": "${steps.wait.output.slept}"},
                    "retry": {"maxAttempts": 5, "initialBackoffSeconds": 0.1},
                },
            ],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _submit_all(api: httpx.AsyncClient, workflow_id: str, tag: str) -> int:
    """Submit EXECUTIONS executions, each retried with its Idempotency-Key until the
    service answers 201 or 200; returns how many attempts failed on the way."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(EXECUTIONS):
        queue.put_nowait(i)
    failed = 0

    async def worker() -> None:
        nonlocal failed
        while not queue.empty():
            i = queue.get_nowait()
            body = {
                "workflowId": workflow_id,
                "inputs": {"i": f"{tag}-{i}", "s": 0.05 + i % 4 * 0.05},
            }
            for attempt in range(600):
                try:
                    r = await api.post(
                        "/WorkflowExecution", json=body, headers={"Idempotency-Key": f"{tag}-{i}"}
                    )
                    if r.status_code in (200, 201):
                        break
                except httpx.HTTPError:
                    pass
                failed += 1
                await asyncio.sleep(min(0.05 * 2**attempt, 0.5))
            else:
                raise AssertionError(f"execution {tag}-{i} was never accepted")

    await asyncio.gather(*(worker() for _ in range(16)))
    return failed


async def _completed(db: asyncpg.Connection | asyncpg.Pool, workflow_id: str) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE workflow_id = $1 AND status = 'COMPLETED'",
        workflow_id,
    )


async def _health(service: ServiceProcess) -> tuple[int, str, int]:
    async with httpx.AsyncClient(timeout=5) as client:
        live = await client.get(f"{service.url}/health")
        ready = await client.get(f"{service.url}/health", params={"ready": "true"})
    return live.status_code, live.json()["status"], ready.status_code


async def _ride_through(
    pg: DisposablePostgres,
    service: ServiceProcess,
    api: httpx.AsyncClient,
    server: CountingServer,
    tag: str,
    fault: Callable[[], Any],
) -> float:
    """One round: submit, fault mid-way, check everything; returns the recovery time
    (database accepting connections again → the first claim after it), seconds."""
    workflow_id = await _create_workflow(api, server.url, f"chaos-{tag}")
    submitting = asyncio.create_task(_submit_all(api, workflow_id, tag))
    db = await asyncpg.connect(pg.url)
    try:
        await wait_for(lambda: _some_in_flight(db, workflow_id), 60, 0.02)
    finally:
        await db.close()
    broke_at = time.time()
    await asyncio.to_thread(fault)
    back = await wait_accepting(pg.url)
    back_wall = time.time() - (time.monotonic() - back)
    await submitting
    pool = await asyncpg.create_pool(pg.url, min_size=1, max_size=2)
    try:
        await wait_for(lambda: _all_done(pool, workflow_id), 180, 0.25)
        assert service.proc.poll() is None, "the service exited"
        await _assert_exactly_once(pool, workflow_id, server, tag)
        first_claim = await pool.fetchval(
            "SELECT min(claimed_at) FROM runs WHERE claimed_at > $1",
            datetime.datetime.fromtimestamp(max(back_wall, broke_at), datetime.UTC),
        )
    finally:
        await pool.close()
    return first_claim.timestamp() - back_wall


async def _some_in_flight(db: asyncpg.Connection, workflow_id: str) -> bool:
    """A fault lands mid-way: some executions done, sleeps leased right now."""
    row = await db.fetchrow(
        "SELECT count(*) FILTER (WHERE e.status = 'COMPLETED') AS done,"
        " (SELECT count(*) FROM runs r WHERE r.status = 'LEASED' AND r.step_key = 'wait')"
        " AS leased FROM workflow_executions e WHERE e.workflow_id = $1",
        workflow_id,
    )
    return row["done"] >= 100 and row["leased"] >= 10


async def _all_done(pool: asyncpg.Pool, workflow_id: str) -> bool:
    return await _completed(pool, workflow_id) == EXECUTIONS


async def _assert_exactly_once(
    pool: asyncpg.Pool, workflow_id: str, server: CountingServer, tag: str
) -> None:
    statuses = await pool.fetch(
        "SELECT status, count(*) AS n FROM workflow_executions WHERE workflow_id = $1"
        " GROUP BY status",
        workflow_id,
    )
    assert {r["status"]: r["n"] for r in statuses} == {"COMPLETED": EXECUTIONS}
    per_step = await pool.fetch(
        "SELECT r.execution_id, r.step_key, count(*) FILTER (WHERE r.status = 'SUCCEEDED') AS ok"
        " FROM runs r JOIN workflow_executions e ON e.id = r.execution_id"
        " WHERE e.workflow_id = $1 GROUP BY 1, 2",
        workflow_id,
    )
    assert len(per_step) == 2 * EXECUTIONS
    assert all(r["ok"] == 1 for r in per_step), [dict(r) for r in per_step if r["ok"] != 1][:5]
    assert (
        await pool.fetchval("SELECT count(*) FROM runs WHERE status IN ('LEASED', 'PENDING')") == 0
    )
    keys = await pool.fetch(
        "SELECT r.idempotency_key FROM runs r JOIN workflow_executions e ON e.id = r.execution_id"
        " WHERE e.workflow_id = $1 AND r.step_key = 'call' AND r.status = 'SUCCEEDED'",
        workflow_id,
    )
    hits = [server.hits[r["idempotency_key"]] for r in keys]
    assert len(hits) == EXECUTIONS and set(hits) == {1}, sorted(set(hits))


async def test_postgres_killed_three_times_nothing_lost_nothing_twice(
    pg: DisposablePostgres, tmp_path: Path
) -> None:
    with CountingServer() as server:
        service = ServiceProcess(pg.url, tmp_path, KEY, **SERVICE_ENV)
        try:
            await service.wait_ready()
            async with httpx.AsyncClient(
                base_url=service.url, headers={"X-API-Key": KEY}, timeout=30
            ) as api:
                recoveries = []
                for round_ in range(3):

                    def crash() -> None:
                        pg.kill()
                        # /health while the database is down, from the same service
                        assert asyncio.run(_health(service)) == (200, "degraded", 503)
                        time.sleep(1.0)
                        pg.start()

                    recoveries.append(
                        await _ride_through(pg, service, api, server, f"kill{round_}", crash)
                    )
                assert await _health(service) == (200, "ok", 200)
            print(f"recovery after SIGKILL (database back → first claim): {recoveries}")
            assert "Task exception was never retrieved" not in service.output()
        finally:
            service.stop()


async def test_postgres_fast_restart_nothing_lost_nothing_twice(
    pg: DisposablePostgres, tmp_path: Path
) -> None:
    with CountingServer() as server:
        service = ServiceProcess(pg.url, tmp_path, KEY, **SERVICE_ENV)
        try:
            await service.wait_ready()
            async with httpx.AsyncClient(
                base_url=service.url, headers={"X-API-Key": KEY}, timeout=30
            ) as api:
                recovery = await _ride_through(pg, service, api, server, "fast", pg.restart_fast)
            print(f"recovery after pg_ctl restart -m fast: {recovery:.3f} s")
            assert "Task exception was never retrieved" not in service.output()
        finally:
            service.stop()
