"""`purge`: what deleting old executions costs the engine while it runs.

A fresh database is loaded with `purge_runs` runs of two-step executions that
finished 40 days ago (bulk SQL: the purge is measured, not the load), the engine
starts (runners and reaper, retention itself off), and noop probes arrive
open-loop at `purge_rate`/s:

- before: `probe_seconds` of probes with nothing else going on;
- during: `valkyr purge`'s work (custom.executions.purge.purge_finished_before, the
  reaper's retention pass, on the engine's own pool) deletes every old execution
  while probes keep arriving, until it is done.

Reported: dispatch latency (claimed_at - available_at) of the probes before and
during, how long the purge took, rows/s, and how long each batch transaction held
its locks (p50 / p95 / max).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg

from bench.engine import dispatch_latencies, insert_workflow, rig
from bench.pg import PgCpu, Server
from bench.stats import Cpu, latency_summary, open_loop

LOAD_CHUNK = 100_000  # executions per INSERT while loading


async def load_old_executions(pool: asyncpg.Pool, wf: uuid.UUID, executions: int) -> float:
    """`executions` COMPLETED two-step executions (two SUCCEEDED runs each) that
    finished 40 days ago; returns the seconds the load took."""
    t0 = time.monotonic()
    for first in range(0, executions, LOAD_CHUNK):
        n = min(LOAD_CHUNK, executions - first)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                WITH e AS (
                    INSERT INTO workflow_executions
                        (workflow_id, workflow_version, status, inputs, outputs,
                         idempotency_key, request_hash, created_at, started_at, finished_at)
                    SELECT $1, 1, 'COMPLETED', jsonb_build_object('n', k),
                           '{"a": {"ok": true}, "b": {"ok": true}}',
                           'old-' || k, 'h', t, t, t + interval '20 ms'
                    FROM generate_series($2::int, $2::int + $3::int - 1) AS k,
                         LATERAL (SELECT now() - interval '40 days'
                                         + k * interval '1 ms' AS t) AS at
                    RETURNING id, created_at
                )
                INSERT INTO runs (execution_id, step_key, module, attempt, status, inputs,
                                  config, output, idempotency_key, created_at, available_at,
                                  claimed_at, started_at, finished_at)
                SELECT e.id, s, 'noop', 1, 'SUCCEEDED', '{"x": 1}', '{}', '{"ok": true}',
                       'i:c', e.created_at, e.created_at, e.created_at, e.created_at,
                       e.created_at + interval '10 ms'
                FROM e, unnest(ARRAY['a', 'b']) AS s
                """,
                wf,
                first,
                n,
            )
    await pool.execute("VACUUM ANALYZE workflow_executions")
    await pool.execute("VACUUM ANALYZE runs")
    # the load's dirty pages are written now, not by a checkpoint in the middle of the
    # "before" phase
    await pool.execute("CHECKPOINT")
    return time.monotonic() - t0


class TimedBatches:
    """Times each purge batch (its transaction: how long its row locks are held)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def install(self) -> Any:
        import custom.executions.purge as purge

        original = purge.purge_batch

        async def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds.append(time.perf_counter() - t0)

        purge.purge_batch = timed  # type: ignore[assignment]
        return lambda: setattr(purge, "purge_batch", original)


async def purge(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    from custom.executions.purge import Purged, purge_finished_before, retention_cutoff

    executions = opts["purge_runs"] // 2
    rate = opts["purge_rate"]
    async with rig(server, opts) as r:
        old = await insert_workflow(
            r.submit,
            "bench-old",
            [{"key": "a", "module": "noop"}, {"key": "b", "module": "noop", "dependsOn": ["a"]}],
        )
        probe_wf = await insert_workflow(r.submit, "bench-probe", [{"key": "p", "module": "noop"}])
        load_s = await load_old_executions(r.submit, old, executions)
        await r.start_engine(opts["slots"])
        index = 0

        async def probes(seconds: float, ids: list[uuid.UUID]) -> dict[str, Any]:
            nonlocal index

            async def probe(i: int, due: float) -> None:
                ids.append(await r.start(probe_wf, {"probe": i}))

            paced = await open_loop(rate, seconds, probe, start_index=index)
            index += paced["issued"]
            return paced

        before_ids: list[uuid.UUID] = []
        await probes(opts["probe_seconds"], before_ids)

        timed = TimedBatches()
        restore = timed.install()
        pg_cpu = PgCpu(server.postmaster_pid())
        cpu = Cpu()
        cpu.start()
        pg_cpu.start()
        t0 = time.monotonic()
        cutoff = retention_cutoff(30)
        try:
            purging = asyncio.create_task(purge_finished_before(r.pool, cutoff))
            ended: list[float] = []
            purging.add_done_callback(lambda _task: ended.append(time.monotonic()))
            during_ids: list[uuid.UUID] = []
            while not purging.done():  # probes for exactly as long as the purge runs
                await probes(1.0, during_ids)
            purged: Purged = await purging
        finally:
            restore()
        wall = time.monotonic() - t0  # whole seconds of probes: a little past the purge
        purge_s = ended[0] - t0
        service_cpu = cpu.stop()
        db_cpu = pg_cpu.stop()
        await asyncio.sleep(0.5)  # the last probes get claimed
        before = await dispatch_latencies(r.submit, before_ids)
        during = await dispatch_latencies(r.submit, during_ids)
        left = await r.submit.fetchval(
            "SELECT count(*) FROM workflow_executions WHERE workflow_id = $1", old
        )
        return {
            "runs_loaded": executions * 2,
            "executions_loaded": executions,
            "load_seconds": round(load_s, 1),
            "probe_rate_per_s": rate,
            "dispatch_before": latency_summary(before),
            "dispatch_during": latency_summary(during),
            "purge_seconds": round(purge_s, 2),
            "purged": {
                "executions": purged.executions,
                "runs": purged.runs,
                "dead_letters": purged.dead_letters,
                "audit": purged.audit,
            },
            "all_purged": left == 0 and purged.runs == executions * 2,
            "runs_per_s": round(purged.runs / purge_s, 1) if purge_s else None,
            "batches": len(timed.seconds),
            "batch_transaction": latency_summary(timed.seconds),
            "service_cpu_cores": round(service_cpu / wall, 3),
            "db_cpu_cores": None if db_cpu is None else round(db_cpu / wall, 3),
        }
