"""Schedules across real service processes: two schedulers on one database fire
each moment exactly once, and a scheduler killed (SIGKILL) between a firing and
its commit leaves nothing behind: the next one fires that moment, once."""

from __future__ import annotations

import asyncio
import datetime
import signal
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.engine_support import RunnerProcess, insert_workflow, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]

ENV = {"VALKYR_RUNNERS": "1", "VALKYR_SCHEDULER_INTERVAL_SECONDS": "0.05"}


async def _schedule(db: asyncpg.Pool, wf: uuid.UUID, interval: int) -> uuid.UUID:
    return await db.fetchval(
        "INSERT INTO schedules (workflow_id, interval_seconds, next_fire_at)"
        " VALUES ($1, $2, now()) RETURNING id",
        wf,
        interval,
    )


async def _keys(db: asyncpg.Pool, schedule_id: uuid.UUID) -> list[str]:
    rows = await db.fetch(
        "SELECT idempotency_key FROM workflow_executions WHERE schedule_id = $1"
        " ORDER BY idempotency_key",
        schedule_id,
    )
    return [r["idempotency_key"] for r in rows]


async def test_two_service_processes_fire_each_moment_exactly_once(
    db: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    processes = [RunnerProcess(db_url, name, tmp_path, **ENV) for name in ("A", "B")]
    try:
        await asyncio.gather(*(p.wait_ready() for p in processes))
        schedule_id = await _schedule(db, wf, 1)

        async def five_fired() -> bool:
            return len(await _keys(db, schedule_id)) >= 5

        await wait_for(five_fired, 30, 0.1)
        await db.execute("UPDATE schedules SET paused = true WHERE id = $1", schedule_id)
    finally:
        for p in processes:
            p.stop()
    keys = await _keys(db, schedule_id)
    stamps = [k.split(":", 2)[2] for k in keys]
    seconds = [datetime.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps]
    # one execution a second, none missing and none twice (the first is the
    # moment the test set, the rest fall on whole seconds)
    assert len(set(keys)) == len(keys)
    steps = [(b - a).total_seconds() for a, b in zip(seconds[1:], seconds[2:], strict=False)]
    assert all(step == 1.0 for step in steps), seconds
    logs = "".join(p.output() for p in processes)
    assert "had fired already" not in logs and "Traceback" not in logs, logs


async def test_a_scheduler_killed_before_its_commit_leaves_the_firing_to_the_next_one(
    db: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    # the firing transaction stalls right after inserting its execution
    await db.execute(
        """CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN PERFORM pg_sleep(20); RETURN NEW; END $$;
           CREATE TRIGGER stall AFTER INSERT ON workflow_executions
           FOR EACH ROW WHEN (NEW.schedule_id IS NOT NULL) EXECUTE FUNCTION stall();"""
    )
    schedule_id = await _schedule(db, wf, 3600)
    moment = await db.fetchval("SELECT next_fire_at FROM schedules WHERE id = $1", schedule_id)
    first = RunnerProcess(db_url, "A", tmp_path, **ENV)
    second = None
    try:

        async def stalled() -> bool:
            return bool(
                await db.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                )
            )

        await wait_for(stalled, 30, 0.05)
        first.signal(signal.SIGKILL)
        first.proc.wait(10)
        # its backend would sleep on; end it as the server does a lost client's
        await db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
        )
        await db.execute("DROP TRIGGER stall ON workflow_executions")
        assert await _keys(db, schedule_id) == []  # nothing of the firing committed
        second = RunnerProcess(db_url, "B", tmp_path, **ENV)

        async def fired() -> bool:
            return bool(await _keys(db, schedule_id))

        await wait_for(fired, 30, 0.05)
        await asyncio.sleep(0.5)  # time for a wrong second firing to show
    finally:
        first.stop()
        if second is not None:
            second.stop()
    stamp = moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    assert await _keys(db, schedule_id) == [
        f"schedule:{schedule_id}:{stamp.replace('+00:00', 'Z')}"
    ]
    row = await db.fetchrow("SELECT * FROM schedules WHERE id = $1", schedule_id)
    assert row["last_fire_at"] == moment and row["next_fire_at"] > moment
