"""The worker SDKs (Python and Node) against `valkyr serve` as a real process on a real
PostgreSQL: results and errors, cancellation, lease length, idle cost, draining."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.clients.support import LANGS, SdkWorker, runner_key, runs_of, service, start_executions
from tests.engine_support import insert_workflow, wait_for, wait_status
from tests.support import ADMIN_KEY

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]

# the step hands the execution's `job` to the handler (what to do: see behaviour_worker)
INPUTS = {"job": "${inputs.job}"}
RETRY_FAST = {"maxAttempts": 2, "initialBackoffSeconds": 0, "jitter": False}


@pytest.mark.parametrize("lang", LANGS)
async def test_results_and_errors_map_to_outcomes(lang: str, db, db_url: str, tmp_path: Path):
    wf = await insert_workflow(
        db, [{"key": "s", "module": "sdk.test", "inputs": INPUTS, "retry": RETRY_FAST}]
    )
    cases = ["echo", "transient", "permanent", "crash", "nonjson"]
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(lang, svc, key, "sdk:1", tmp_path)
        try:
            await worker.ready()
            ids = await start_executions(db, wf, [{"job": {"do": c}} for c in cases])
            for execution_id in ids:
                await wait_status(db, execution_id, "COMPLETED", "FAILED", within=30)
        finally:
            worker.stop()
    by_case = {c: await runs_of(db, e) for c, e in zip(cases, ids, strict=True)}

    (echo,) = by_case["echo"]
    assert echo["status"] == "SUCCEEDED" and echo["lease_owner"] == "sdk:1"
    assert echo["output"] == {"echo": {"job": {"do": "echo"}}, "by": "sdk:1"}
    # TransientError and any other exception: retried until maxAttempts, then quarantined
    for case, type_ in (("transient", "TransientError"), ("crash", None)):
        runs = by_case[case]
        assert [(r["attempt"], r["status"]) for r in runs] == [(1, "FAILED"), (2, "DEAD_LETTERED")]
        if type_:
            assert runs[0]["error"]["type"] == type_
    # PermanentError and an output that is not JSON: no second attempt
    for case, type_ in (("permanent", "PermanentError"), ("nonjson", "invalid_output")):
        (run,) = by_case[case]
        assert run["status"] == "DEAD_LETTERED" and run["error"]["type"] == type_, case
    reasons = {
        r["step_key"] + ":" + r["reason"]
        for r in await db.fetch("SELECT step_key, reason FROM dead_letters")
    }
    assert reasons == {"s:attempts_exhausted", "s:permanent_error"}
    assert await db.fetchval("SELECT count(*) FROM dead_letters") == 4


@pytest.mark.parametrize("lang", LANGS)
async def test_cancellation_reaches_the_handler(lang: str, db, db_url: str, tmp_path: Path):
    wf = await insert_workflow(db, [{"key": "s", "module": "sdk.test", "inputs": INPUTS}])
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(lang, svc, key, "sdk:1", tmp_path, HEARTBEAT_SECONDS=0.3)
        try:
            await worker.ready()
            (execution_id,) = await start_executions(
                db, wf, [{"job": {"do": "sleep", "seconds": 60}}]
            )
            await worker.said("started")
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
                r = await c.post(f"{svc.url}/WorkflowExecution/{execution_id}/cancel")
                assert r.status_code == 200, r.text
            await worker.said("(cancelled)", within=10)
            await wait_for(lambda: db.fetchval("SELECT status = 'CANCELLED' FROM runs"), within=10)
        finally:
            worker.stop()
    assert await db.fetchval("SELECT status FROM workflow_executions") == "CANCELLED"
    (run,) = await runs_of(db, execution_id)
    assert run["error"]["type"] == "cancelled"


@pytest.mark.parametrize("lang", LANGS)
async def test_heartbeats_keep_the_claimed_lease_length(lang: str, db, db_url: str, tmp_path: Path):
    """A 3 s lease kept alive for 6 s by batch heartbeats, at the length asked for (not
    the server's default); one heartbeat request per interval for all held runs."""
    wf = await insert_workflow(db, [{"key": "s", "module": "sdk.test", "inputs": INPUTS}])
    async with service(db_url, tmp_path, VALKYR_LEASE_SECONDS=120) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(
            lang, svc, key, "sdk:1", tmp_path, LEASE_SECONDS=3, HEARTBEAT_SECONDS=0.5, CONCURRENCY=8
        )
        try:
            await worker.ready()
            ids = await start_executions(
                db, wf, [{"job": {"do": "sleep", "seconds": 6, "n": i}} for i in range(5)]
            )
            await wait_for(
                lambda: db.fetchval("SELECT count(*) = 5 FROM runs WHERE status = 'LEASED'")
            )
            await asyncio.sleep(1.0)
            left = await db.fetchval(
                "SELECT extract(epoch FROM expires_at - now()) FROM runner_leases"
                " WHERE runner_id = 'sdk:1'"
            )
            assert 1.5 < left <= 3.0, left
            for execution_id in ids:
                assert (
                    await wait_status(db, execution_id, "COMPLETED", "FAILED", within=20)
                    == "COMPLETED"
                )
        finally:
            worker.stop()
    assert await db.fetchval("SELECT count(*) FROM runs") == 5  # no lease expired: no retry
    beats = _access_lines(svc.output(), "POST /v1/Run/heartbeat ")
    # ~6 s of 5 runs at 0.5 s: about 12 batch requests, never one per run (60)
    assert 5 <= beats <= 20, beats


def _access_lines(log: str, text: str) -> int:
    return sum(1 for line in log.splitlines() if text in line)


@pytest.mark.parametrize("lang", LANGS)
async def test_sigterm_drains_and_gives_back_without_using_an_attempt(
    lang: str, db, db_url: str, tmp_path: Path
):
    wf = await insert_workflow(db, [{"key": "s", "module": "sdk.test", "inputs": INPUTS}])
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(lang, svc, key, "sdk:1", tmp_path, GRACE_SECONDS=3, WAIT_SECONDS=20)
        try:
            await worker.ready()
            # the short job ends well inside the grace even on a loaded machine (it was
            # 1 s in a 1.5 s grace, and a starved CI core gave it back)
            short, long = await start_executions(
                db,
                wf,
                [{"job": {"do": "sleep", "seconds": 0.5}}, {"job": {"do": "sleep", "seconds": 60}}],
            )
            await wait_for(
                lambda: db.fetchval("SELECT count(*) = 2 FROM runs WHERE status = 'LEASED'")
            )
            began = time.monotonic()
            worker.signal(signal.SIGTERM)
            # work submitted during the drain is not started: the long-poll claim that
            # was out is abandoned, and the service leases nothing for it
            (late,) = await start_executions(db, wf, [{"job": {"do": "echo"}}])
            assert await asyncio.to_thread(worker.proc.wait, 20) == 0
            took = time.monotonic() - began
        finally:
            worker.stop()
    assert took < 12, took  # the grace (3 s), not the long-poll that was out (20 s)
    (done,) = await runs_of(db, short)
    assert done["status"] == "SUCCEEDED"
    for execution_id in (long, late):
        (run,) = await runs_of(db, execution_id)
        assert (run["attempt"], run["status"], run["lease_owner"]) == (1, "PENDING", None)
    assert "gave back" in worker.output()
    assert "started" not in "".join(line for line in worker.output().splitlines() if "echo" in line)


@pytest.mark.parametrize("lang", LANGS)
async def test_an_idle_worker_sends_one_claim_per_wait_and_no_heartbeat(
    lang: str, db, db_url: str, tmp_path: Path
):
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(lang, svc, key, "sdk:1", tmp_path, WAIT_SECONDS=2, HEARTBEAT_SECONDS=0.2)
        try:
            await worker.ready()
            before = _access_lines(svc.output(), "/v1/Run")
            await asyncio.sleep(6.0)
            sent = _access_lines(svc.output(), "/v1/Run") - before
        finally:
            worker.stop()
    # long-polls of 2 s: 3 in 6 s (one more that was out at either end); no heartbeat
    assert 2 <= sent <= 5, sent
    assert _access_lines(svc.output(), "/v1/Run/heartbeat") == 0
    print(f"idle {lang} worker: {sent / 6.0:.2f} requests/s with waitSeconds 2")


@pytest.mark.parametrize("lang", LANGS)
async def test_a_report_is_retried_until_the_service_is_back(
    lang: str, db, db_url: str, tmp_path: Path
):
    from tests.engine_support import ServiceProcess

    wf = await insert_workflow(db, [{"key": "s", "module": "sdk.test", "inputs": INPUTS}])
    async with service(db_url, tmp_path) as svc:
        key = await runner_key(svc, "sdk")
        worker = SdkWorker(lang, svc, key, "sdk:1", tmp_path, LEASE_SECONDS=60, WAIT_SECONDS=1)
        try:
            await worker.ready()
            (execution_id,) = await start_executions(
                db, wf, [{"job": {"do": "sleep", "seconds": 2}}]
            )
            await worker.said("started")
            svc.stop()  # the service goes away while the handler runs
            await worker.said("report failed, trying again", within=15)
            (tmp_path / "again").mkdir()
            again = ServiceProcess(
                db_url, tmp_path / "again", ADMIN_KEY, port=svc.port, **{"VALKYR_RUNNERS": "0"}
            )
            try:
                await again.wait_ready()
                assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
            finally:
                again.stop()
        finally:
            worker.stop()
    (run,) = await runs_of(db, execution_id)
    assert (run["attempt"], run["status"], run["lease_owner"]) == (1, "SUCCEEDED", "sdk:1")
