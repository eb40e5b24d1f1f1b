"""The claim query uses the partial index on ready runs, not a scan of the runs table.

TOOLCHAIN: a prepared claim planned while `runs` was empty kept a sequential scan
(13M rows read, p95 18 ms at 1,000/s). Here the table holds a realistic mix
(20k PENDING + 20k SUCCEEDED, analysed) and both the plan PostgreSQL picks for the
bound parameters and the generic plan a prepared statement falls back to after
five executions must read the ready runs through ix_runs_ready.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from custom.sql import q

pytestmark = pytest.mark.asyncio

PARAMS = ("bench-runner", ["noop"], 32, None, 120.0)


async def _load(conn: asyncpg.Connection, pending: int = 20_000, done: int = 20_000) -> None:
    wf = await conn.fetchval(
        "INSERT INTO workflows (name, version, steps) VALUES ('plans', 1, '[]') RETURNING id"
    )
    await conn.execute(
        """
        INSERT INTO workflow_executions (id, workflow_id, workflow_version, status,
                                         idempotency_key, request_hash)
        SELECT gen_random_uuid(), $1, 1, 'RUNNING', 'k' || g, 'h' || g
        FROM generate_series(1, $2) AS g
        """,
        wf,
        (pending + done) // 10,
    )
    # ten runs per execution: PENDING ones first, then SUCCEEDED (finished) ones
    await conn.execute(
        """
        INSERT INTO runs (execution_id, step_key, module, status, idempotency_key,
                          available_at, claimed_at, finished_at, output)
        SELECT e.id, 's' || s, 'noop',
               CASE WHEN n <= $1 THEN 'PENDING' ELSE 'SUCCEEDED' END,
               'i' || n,
               now() - make_interval(secs => n / 1000.0),
               CASE WHEN n > $1 THEN now() END,
               CASE WHEN n > $1 THEN now() END,
               CASE WHEN n > $1 THEN '{}'::jsonb END
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM workflow_executions) e,
             generate_series(1, 10) AS s,
             LATERAL (SELECT (e.k - 1) * 10 + s AS n) AS num
        """,
        pending,
    )
    await conn.execute("ANALYZE")


def _nodes(plan: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        found.append(node)
        for child in node.get("Plans", []):
            walk(child)

    for top in plan:
        walk(top["Plan"])
    return found


def _assert_uses_ready_index(plan: Any) -> None:
    nodes = _nodes(plan)
    seq_on_runs = [
        n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "runs"
    ]
    assert not seq_on_runs, json.dumps(plan, indent=1)
    assert any(n.get("Index Name") == "ix_runs_ready" for n in nodes), json.dumps(plan, indent=1)


async def _explain(conn: asyncpg.Connection, sql: str, *args: Any) -> Any:
    raw = await conn.fetchval(sql, *args)
    return json.loads(raw) if isinstance(raw, str) else raw


async def test_claim_uses_ready_index(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        await _load(conn)
        counts = dict(await conn.fetch("SELECT status, count(*) FROM runs GROUP BY status"))
        assert counts == {"PENDING": 20_000, "SUCCEEDED": 20_000}
        plan = await _explain(conn, "EXPLAIN (FORMAT JSON) " + q("run_claim"), *PARAMS)
        _assert_uses_ready_index(plan)


async def test_claim_generic_plan_uses_ready_index(db: asyncpg.Pool) -> None:
    """The plan a prepared statement keeps after five executions (plan_cache_mode generic)."""
    async with db.acquire() as conn:
        await _load(conn)
        await conn.execute(
            "PREPARE claim(text, text[], int, timestamptz, float8) AS " + q("run_claim")
        )
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            plan = await _explain(
                conn, "EXPLAIN (FORMAT JSON) EXECUTE claim('r', '{noop}', 32, NULL, 120)"
            )
            _assert_uses_ready_index(plan)
        finally:
            await conn.execute("RESET plan_cache_mode")
            await conn.execute("DEALLOCATE claim")
