"""Retention (issue 11, item 7): finished executions past their time leave with
everything that belongs to them; what still needs someone stays.

The executions are made the way the engine makes them (claims, completions,
failures, a discard and a cancel through the API), then moved 40 days into the
past: retention compares with the clock, and a test cannot wait 30 days.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.auth.keys import create_key
from custom.executions.purge import Purged, purge_batch, purge_finished_before, retention_cutoff
from custom.leases.claim import claim_runs
from custom.leases.finish import complete_run, fail_run
from custom.sql import q
from tests.conftest import serve_engine
from tests.engine_support import ROOT, insert_workflow, start, wait_for
from tests.support import client_for, expect_unchanged, snapshot

pytestmark = pytest.mark.asyncio
OLD = datetime.timedelta(days=40)
OWNED = ("runs", "dead_letters", "execution_audit")


@dataclass
class Executions:
    completed: uuid.UUID  # two steps, both succeeded
    discarded: uuid.UUID  # FAILED, its dead letter DISCARDED (with an audit row)
    quarantined: uuid.UUID  # FAILED, its dead letter still waiting: kept
    cancelled: uuid.UUID  # CANCELLED before anything ran (with a control audit row)
    cancelled_in_flight: uuid.UUID  # CANCELLED, its run still leased: kept
    running: uuid.UUID  # not finished: kept
    recent: uuid.UUID  # COMPLETED today: kept

    @property
    def deletable(self) -> set[uuid.UUID]:
        return {self.completed, self.discarded, self.cancelled}

    @property
    def kept(self) -> set[uuid.UUID]:
        return {
            self.quarantined,
            self.cancelled_in_flight,
            self.running,
            self.recent,
        }


async def run_through(db: asyncpg.Pool, module: str, *, fail: bool = False) -> None:
    """Claim the ready runs of `module` and complete (or permanently fail) them."""
    for run in await claim_runs(db, "t", [module], 10, 60):
        async with db.acquire() as conn:
            if fail:
                await fail_run(conn, run["id"], "t", run["lease_token"], {"message": "no"},
                               retryable=False)  # fmt: skip
            else:
                await complete_run(conn, run["id"], "t", run["lease_token"], {"ok": True})


async def make_executions(client: httpx.AsyncClient, db: asyncpg.Pool) -> Executions:
    two = await insert_workflow(
        db, [{"key": "a", "module": "m.ok"}, {"key": "b", "module": "m.ok", "dependsOn": ["a"]}],
        "two",
    )  # fmt: skip
    bad = await insert_workflow(db, [{"key": "x", "module": "m.bad"}], "bad")
    held = await insert_workflow(db, [{"key": "h", "module": "m.held"}], "held")
    idle = await insert_workflow(db, [{"key": "i", "module": "m.idle"}], "idle")

    completed = await start(db, two, {"n": 1})
    await run_through(db, "m.ok")
    await run_through(db, "m.ok")
    discarded = await start(db, bad, {"n": 1})
    quarantined = await start(db, bad, {"n": 2})
    await run_through(db, "m.bad", fail=True)
    entry = await db.fetchval("SELECT id FROM dead_letters WHERE execution_id = $1", discarded)
    r = await client.post(f"/DeadLetterQueue/{entry}/discard", json={"notes": "gone"})
    assert r.status_code == 200, r.text
    cancelled = await start(db, idle, {"n": 1})
    assert (await client.post(f"/WorkflowExecution/{cancelled}/cancel")).status_code == 200
    cancelled_in_flight = await start(db, held, {"n": 1})
    assert len(await claim_runs(db, "t", ["m.held"], 10, 600)) == 1
    assert (
        await client.post(f"/WorkflowExecution/{cancelled_in_flight}/cancel")
    ).status_code == 200
    running = await start(db, idle, {"n": 2})
    ex = Executions(
        completed, discarded, quarantined, cancelled, cancelled_in_flight, running, uuid.uuid4()
    )
    await db.execute(
        "UPDATE workflow_executions SET created_at = created_at - $2::interval,"
        " finished_at = finished_at - $2::interval WHERE id = ANY($1::uuid[])",
        list(ex.deletable | ex.kept - {ex.recent}),
        OLD,
    )
    ex.recent = await start(db, two, {"n": 2})
    await run_through(db, "m.ok")
    await run_through(db, "m.ok")
    statuses = dict(await db.fetch("SELECT id, status FROM workflow_executions"))
    assert statuses == {
        completed: "COMPLETED",
        discarded: "FAILED",
        quarantined: "FAILED",
        cancelled: "CANCELLED",
        cancelled_in_flight: "CANCELLED",
        running: "RUNNING",
        ex.recent: "COMPLETED",
    }
    return ex


async def owned_rows(db: asyncpg.Pool, ids: set[uuid.UUID]) -> dict[str, int]:
    """Rows anything keeps of these executions (dead letter audit through its entries)."""
    ids_list = list(ids)
    out = {
        t: await db.fetchval(f"SELECT count(*) FROM {t} WHERE execution_id = ANY($1)", ids_list)
        for t in OWNED
    }
    out["dead_letter_audit"] = await db.fetchval(
        "SELECT count(*) FROM dead_letter_audit WHERE execution_id = ANY($1)", ids_list
    )
    out["workflow_executions"] = await db.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE id = ANY($1)", ids_list
    )
    return out


@pytest_asyncio.fixture
async def executions(client: httpx.AsyncClient, db: asyncpg.Pool) -> Executions:
    return await make_executions(client, db)


async def test_purge_deletes_everything_of_old_finished_executions_and_keeps_the_rest(
    client: httpx.AsyncClient, db: asyncpg.Pool, executions: Executions
) -> None:
    doomed_before = await owned_rows(db, executions.deletable)
    assert doomed_before == {
        "runs": 4,  # two steps + one failed run + one cancelled run
        "dead_letters": 1,
        "execution_audit": 1,  # the cancel
        "dead_letter_audit": 1,  # the discard
        "workflow_executions": 3,
    }
    kept_before = await owned_rows(db, executions.kept)

    purged = await purge_finished_before(db, retention_cutoff(30), batch=2)

    assert purged == Purged(executions=3, runs=4, dead_letters=1, audit=2)
    assert set((await owned_rows(db, executions.deletable)).values()) == {0}
    assert await owned_rows(db, executions.kept) == kept_before
    counters = dict(await db.fetch("SELECT name, value FROM engine_counters"))
    assert {k: v for k, v in counters.items() if k.startswith("purged_")} == {
        "purged_executions": 3,
        "purged_runs": 4,
        "purged_dead_letters": 1,
        "purged_audit": 2,
    }
    metrics = (await client.get("/metrics")).text
    assert 'valkyr_purged_total{kind="executions"} 3.0' in metrics
    assert 'valkyr_purged_total{kind="runs"} 4.0' in metrics
    # a second pass finds nothing more
    assert await purge_finished_before(db, retention_cutoff(30)) == Purged()


async def test_a_batch_never_waits_for_a_locked_execution(
    client: httpx.AsyncClient, db: asyncpg.Pool, executions: Executions
) -> None:
    async with db.acquire() as holder, holder.transaction():
        await holder.execute(
            "SELECT 1 FROM workflow_executions WHERE id = $1 FOR UPDATE", executions.completed
        )
        purged = await asyncio.wait_for(
            purge_finished_before(db, retention_cutoff(30), pause_ratio=0), 10
        )
        assert purged.executions == 2  # the locked one is skipped, not waited for
    assert await db.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE id = $1", executions.completed
    )
    assert (await purge_finished_before(db, retention_cutoff(30))).executions == 1


async def test_a_window_walks_the_status_index(db: asyncpg.Pool) -> None:
    """Each batch reads a slice of ix_workflow_executions_status after its cursor; it
    never scans the table (a purge of a million rows must stay small per batch)."""
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    await db.execute(
        """
        INSERT INTO workflow_executions (workflow_id, workflow_version, status, inputs,
            idempotency_key, request_hash, created_at, finished_at)
        SELECT $1, 1, CASE WHEN n % 4 = 0 THEN 'COMPLETED' ELSE 'RUNNING' END, '{}', 'k' || n,
               'h', now() - interval '40 days' + n * interval '1 s',
               now() - interval '40 days' + n * interval '1 s'
        FROM generate_series(1, 20000) AS n
        """,
        wf,
    )  # fmt: skip
    await db.execute(
        "INSERT INTO runs (execution_id, step_key, module, status, idempotency_key)"
        " SELECT id, s, 'noop', 'SUCCEEDED', 'i' FROM workflow_executions,"
        " unnest(ARRAY['a', 'b']) AS s"
    )
    await db.execute("ANALYZE")
    plan = await db.fetchval(
        "EXPLAIN (FORMAT JSON) " + q("executions_purge_window"),
        "COMPLETED",
        retention_cutoff(30),
        datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        uuid.UUID(int=0),
        200,
    )
    text = json.dumps(plan)
    assert "ix_workflow_executions_status" in text, text
    assert not big_table_scans(plan), text
    cursor: Any = (datetime.datetime(1, 1, 1, tzinfo=datetime.UTC), uuid.UUID(int=0))
    purged, cursor = await purge_batch(db, "COMPLETED", retention_cutoff(30), cursor, 500)
    assert purged.executions == 500 and cursor is not None
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 20000 - 500
    plan = await db.fetchval(
        "EXPLAIN (FORMAT JSON) " + q("executions_purge"),
        [r["id"] for r in await db.fetch("SELECT id FROM workflow_executions LIMIT 200")],
    )
    assert not big_table_scans(plan), json.dumps(plan)


def big_table_scans(plan: Any) -> list[dict[str, Any]]:
    """Sequential scans of the tables that grow (the empty side tables are read whole,
    rightly, in these plans)."""
    scans = [n for n in plan_nodes(plan) if n["Node Type"] == "Seq Scan"]
    return [n for n in scans if n.get("Relation Name") in ("workflow_executions", "runs")]


def plan_nodes(plan: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        found.append(node)
        for child in node.get("Plans", []):
            walk(child)

    for top in json.loads(plan) if isinstance(plan, str) else plan:
        walk(top["Plan"])
    return found


async def test_the_reaper_deletes_past_retention_by_itself(
    client: httpx.AsyncClient, db: asyncpg.Pool, db_url: str, executions: Executions
) -> None:
    async with serve_engine(db_url, retention_days=30, retention_interval_seconds=0.2):

        async def gone() -> bool:
            left = await db.fetchval(
                "SELECT count(*) FROM workflow_executions WHERE id = ANY($1)",
                list(executions.deletable),
            )
            return left == 0

        await wait_for(gone, 20)
    assert (await owned_rows(db, executions.kept))["workflow_executions"] == 4


async def test_retention_days_0_keeps_everything(
    client: httpx.AsyncClient, db: asyncpg.Pool, db_url: str, executions: Executions
) -> None:
    before = await snapshot(db)
    async with serve_engine(db_url, retention_days=0, retention_interval_seconds=0.1) as served:
        await asyncio.sleep(1.0)
        assert served.state["engine"].reaper.retention_days == 0
    after = await snapshot(db)
    assert after["workflow_executions"] == before["workflow_executions"]
    assert after["runs"] == before["runs"]


async def test_valkyr_purge_before_a_date(
    client: httpx.AsyncClient, db: asyncpg.Pool, db_url: str, executions: Executions
) -> None:
    env = {**os.environ, "DATABASE_URL": db_url, "VALKYR_LOG_FORMAT": "text"}

    async def valkyr(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "custom.cli", "purge", *args, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode or 0, out.decode(), err.decode()

    code, _, err = await valkyr("--before", "yesterday")
    assert code == 2 and "not a date" in err
    day = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=39)).date().isoformat()
    code, out, err = await valkyr("--before", day)
    assert code == 0, err
    assert "3 executions, 4 runs, 1 dead letters, 2 audit" in out
    assert set((await owned_rows(db, executions.deletable)).values()) == {0}
    assert (await owned_rows(db, executions.kept))["workflow_executions"] == 4


async def test_delete_one_execution_through_the_api(
    app: Any, client: httpx.AsyncClient, db: asyncpg.Pool, executions: Executions
) -> None:
    _, operator = await create_key(db, "ops", "operator")
    _, viewer = await create_key(db, "watcher", "viewer")
    _, runner = await create_key(db, "worker", "runner")
    async with (
        client_for(app, operator) as ops,
        client_for(app, viewer) as watcher,
        client_for(app, runner) as worker,
    ):
        for who in (watcher, worker):
            await expect_unchanged(
                db, lambda who=who: who.delete(f"/WorkflowExecution/{executions.completed}"), 403
            )
        for kept, words in (
            (executions.running, "RUNNING"),
            (executions.quarantined, "waiting for a decision"),
            (executions.cancelled_in_flight, "in flight"),
        ):
            await expect_unchanged(
                db, lambda kept=kept: ops.delete(f"/WorkflowExecution/{kept}"), 409, words
            )
        await expect_unchanged(db, lambda: ops.delete(f"/WorkflowExecution/{uuid.uuid4()}"), 404)

        for gone in (executions.discarded, executions.recent):  # any age, when finished
            r = await ops.delete(f"/WorkflowExecution/{gone}")
            assert r.status_code == 204, r.text
            assert r.content == b""
            assert set((await owned_rows(db, {gone})).values()) == {0}
            assert (await ops.get(f"/WorkflowExecution/{gone}")).status_code == 404
        assert (await ops.delete(f"/WorkflowExecution/{executions.recent}")).status_code == 404
    assert (
        await db.fetchval("SELECT value FROM engine_counters WHERE name = 'purged_executions'") == 2
    )
