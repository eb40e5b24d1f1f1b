"""`python -m bench.limits`: what priorities and concurrency limits cost.

- the claim (claim_plan + run_claim, EXPLAIN ANALYZE, 32 runs) over 10,000 ready runs
  of mixed priorities, against the same 10,000 runs at one priority (the baseline);
- the aging pass (runs_age_priority, EXPLAIN ANALYZE) over those 10,000 runs when all
  of them are due to rise, and when none is (they rose already);
- a submit (start_execution) of a workflow with a concurrency limit (lock, slot count,
  the transaction path) against one without (the one-statement path), per submit.

Medians of --repeats rounds (default 3), each on a fresh database; prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import asyncpg

from bench.engine import insert_workflow
from bench.pg import Server
from custom.sql import q

READY = 10_000
CLAIM = ("bench-runner", ["noop"], 32, None, 120.0, None)


async def _ready_runs(conn: asyncpg.Connection, mixed: bool) -> None:
    """READY ready runs, one execution each; priorities 0-9 at random, or all 5."""
    wf = await conn.fetchval(
        "INSERT INTO workflows (name, version, steps) VALUES ('b', 1, '[]') RETURNING id"
    )
    await conn.execute(
        """
        INSERT INTO workflow_executions (workflow_id, workflow_version, status,
                                         idempotency_key, request_hash, priority)
        SELECT $1, 1, 'RUNNING', 'k' || g, 'h' || g,
               CASE WHEN $3 THEN (random() * 9)::int ELSE 5 END
        FROM generate_series(1, $2) AS g
        """,
        wf,
        READY,
        mixed,
    )
    await conn.execute(
        """
        INSERT INTO runs (execution_id, step_key, module, status, idempotency_key,
                          priority_rank, available_at)
        SELECT e.id, 'a', 'noop', 'PENDING', 'i' || e.idempotency_key, 9 - e.priority,
               now() - make_interval(secs => random() * 600)
        FROM workflow_executions e
        """
    )
    await conn.execute("ANALYZE runs; ANALYZE workflow_executions")


async def _explain_ms(conn: asyncpg.Connection, sql: str, *args: Any) -> float:
    """Execution time of one EXPLAIN ANALYZE, rolled back (the rows stay as they were)."""
    tx = conn.transaction()
    await tx.start()
    try:
        plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args)
    finally:
        await tx.rollback()
    return float(json.loads(plan)[0]["Execution Time"])


async def _claim_ms(conn: asyncpg.Connection) -> float:
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(q("claim_plan"))
        plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {q('run_claim')}", *CLAIM)
    finally:
        await tx.rollback()
    return float(json.loads(plan)[0]["Execution Time"])


async def _plans(server: Server) -> dict[str, float]:
    out: dict[str, float] = {}
    for mixed in (False, True):
        url = await server.fresh("lp")
        conn = await asyncpg.connect(url)
        try:
            await _ready_runs(conn, mixed)
            label = "mixed" if mixed else "one_priority"
            out[f"claim_ms_{label}"] = statistics.median([await _claim_ms(conn) for _ in range(5)])
            if mixed:
                aging = q("runs_age_priority")
                out["aging_ms_all_due"] = await _explain_ms(conn, aging, None, 10.0, 500)
                # every run aged as far as it goes (100 s a level: most stay above 0):
                # the steady state of a pass with nothing to do over a large backlog
                while await conn.fetch(aging, None, 100.0, 500):
                    pass
                out["aging_ms_steady"] = await _explain_ms(conn, aging, None, 100.0, 500)
                await conn.execute("UPDATE runs SET priority_rank = 0")
                out["aging_ms_all_top"] = await _explain_ms(conn, aging, None, 10.0, 500)
        finally:
            await conn.close()
            await server.drop(url)
    return out


async def _submits_ms(server: Server, n: int) -> dict[str, float]:
    from custom.db.pools import create_pool
    from custom.executions.context import EngineContext
    from custom.executions.start import start_execution

    url = await server.fresh("ls")
    pool = await create_pool(url, max_size=2)
    try:
        steps = [{"key": "a", "module": "noop"}]
        plain = await insert_workflow(pool, "plain", steps)
        limited = await insert_workflow(pool, "limited", steps)
        await pool.execute(
            "UPDATE workflow_versions SET concurrency = $2 WHERE workflow_id = $1",
            limited,
            {"key": "${inputs.customer}", "limit": 1},
        )
        ctx = EngineContext()
        out: dict[str, float] = {}
        async with pool.acquire() as conn:
            for label, wf in (("plain", plain), ("limited", limited)):
                started = time.perf_counter()
                for i in range(n):
                    # 100 keys: most submissions wait (a slot count over a few rows)
                    inputs = {"customer": f"c{i % 100}", "n": i}
                    await start_execution(conn, wf, inputs, ctx=ctx)
                out[f"submit_ms_{label}"] = (time.perf_counter() - started) * 1000 / n
        return out
    finally:
        await pool.close()
        await server.drop(url)


async def main(repeats: int, submits: int) -> None:
    server = Server.start()
    try:
        await server.create_template()
        rounds = []
        for _ in range(repeats):
            rounds.append({**await _plans(server), **await _submits_ms(server, submits)})
        for key in rounds[0]:
            values = [r[key] for r in rounds]
            shown = ", ".join(f"{v:.3f}" for v in values)
            print(f"{key:24s} median {statistics.median(values):8.3f}   ({shown})")
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--submits", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.repeats, args.submits))
