"""Hot-path queries read the rows they need through the right index, never a scan.

The claim uses the partial index on ready runs, not a scan of the runs table.

A prepared claim planned while `runs` was empty once kept a sequential scan (every
run read on every claim). Here the table holds a realistic mix
(20k PENDING + 20k SUCCEEDED, analysed) and both the plan PostgreSQL picks for the
bound parameters and the generic plan a prepared statement falls back to after
five executions must read the ready runs through ix_runs_ready.

The completion (run_finish) and the REST run heartbeat (run_heartbeat) of one run
with 10,000 runs leased by the same runner reach that run through runs_pkey only:
a join on lease_owner made the planner read all 10,000 runs of the runner through
ix_runs_leased_owner on every completion (2 ms mean, 92 ms max). The reaper and the
runner's cancel lookup touch a handful of index entries, not every leased run.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from custom.sql import q
from generated.store import encode_cursor

pytestmark = pytest.mark.asyncio

PARAMS = ("bench-runner", ["noop"], 32, None, 120.0, None)


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


@pytest.mark.parametrize("claim", ["run_claim", "run_claim_unlimited"])
async def test_claim_uses_ready_index(db: asyncpg.Pool, claim: str) -> None:
    async with db.acquire() as conn:
        await _load(conn)
        counts = dict(await conn.fetch("SELECT status, count(*) FROM runs GROUP BY status"))
        assert counts == {"PENDING": 20_000, "SUCCEEDED": 20_000}
        plan = await _explain(conn, "EXPLAIN (FORMAT JSON) " + q(claim), *PARAMS)
        _assert_uses_ready_index(plan)


@pytest.mark.parametrize("claim", ["run_claim", "run_claim_unlimited"])
async def test_claim_generic_plan_uses_ready_index(db: asyncpg.Pool, claim: str) -> None:
    """The plan a prepared statement keeps (claim_plan forces the generic plan)."""
    async with db.acquire() as conn:
        await _load(conn)
        await conn.execute(
            "PREPARE claim(text, text[], int, timestamptz, float8, bytea[]) AS " + q(claim)
        )
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            plan = await _explain(
                conn, "EXPLAIN (FORMAT JSON) EXECUTE claim('r', '{noop}', 32, NULL, 120, NULL)"
            )
            _assert_uses_ready_index(plan)
        finally:
            await conn.execute("RESET plan_cache_mode")
            await conn.execute("DEALLOCATE claim")


# -- the lease path with 10,000 runs leased by one runner -------------------------------

OWNER = "hold-runner"


async def _load_leased(
    conn: asyncpg.Connection, *, stale: bool = False, leased: int = 10_000
) -> asyncpg.Record:
    """`leased` LEASED runs of OWNER (live lease), plus as many finished ones.

    `stale`: the statistics were taken while those runs were still PENDING (what a
    runner that just claimed a burst sees until autoanalyze comes by): then the
    partial index ix_runs_leased_owner looks nearly empty to the planner.
    """
    wf = await conn.fetchval(
        "INSERT INTO workflows (name, version, steps) VALUES ('held', 1, '[]') RETURNING id"
    )
    await conn.execute(
        """
        INSERT INTO workflow_executions (id, workflow_id, workflow_version, status,
                                         idempotency_key, request_hash)
        SELECT gen_random_uuid(), $1, 1, 'RUNNING', 'k' || g, 'h' || g
        FROM generate_series(1, $2) AS g
        """,
        wf,
        leased * 2,
    )
    await conn.execute(
        """
        INSERT INTO runs (execution_id, step_key, module, status, idempotency_key,
                          claimed_at, finished_at, output)
        SELECT e.id, 's', 'noop',
               CASE WHEN e.k <= $1 THEN 'PENDING' ELSE 'SUCCEEDED' END,
               'i' || e.k, now(),
               CASE WHEN e.k > $1 THEN now() END,
               CASE WHEN e.k > $1 THEN '{}'::jsonb END
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM workflow_executions) e
        """,
        leased,
    )
    if stale:
        await conn.execute("VACUUM ANALYZE runs")
    await conn.execute(
        "UPDATE runs SET status = 'LEASED', lease_owner = $1,"
        " lease_token = nextval('run_lease_token_seq') WHERE status = 'PENDING'",
        OWNER,
    )
    await conn.execute(
        "INSERT INTO runner_leases (runner_id, expires_at, heartbeat_at)"
        " VALUES ($1, now() + interval '2 minutes', now())",
        OWNER,
    )
    if not stale:
        await conn.execute("ANALYZE")
    counts = dict(await conn.fetch("SELECT status, count(*) FROM runs GROUP BY status"))
    assert counts == {"LEASED": leased, "SUCCEEDED": leased}
    run = await conn.fetchrow(
        "SELECT id, lease_token FROM runs WHERE status = 'LEASED' ORDER BY lease_token LIMIT 1"
    )
    assert run is not None
    return run


def _assert_one_run_by_pkey(plan: Any) -> None:
    nodes = _nodes(plan)
    on_runs = [
        n for n in nodes if n.get("Relation Name") == "runs" and n["Node Type"] != "ModifyTable"
    ]
    text = json.dumps(plan, indent=1)
    assert on_runs, text
    assert all(n.get("Index Name") == "runs_pkey" for n in on_runs), text
    assert not any(n.get("Index Name") == "ix_runs_leased_owner" for n in nodes), text
    assert not any(n["Node Type"] == "Seq Scan" for n in on_runs), text


FINISH_TYPES = "uuid, text, bigint, text, jsonb, jsonb, timestamptz, timestamptz, bytea"
HEARTBEAT_TYPES = "uuid, text, bigint, float8, timestamptz, float8, bytea"
SECRET_HASH = b"\x01" * 32  # a REST runner's (the service's own runners pass NULL)


@pytest.mark.parametrize("stale", [False, True], ids=["analysed", "stale-statistics"])
async def test_finish_and_run_heartbeat_reach_the_run_by_primary_key(
    db: asyncpg.Pool, stale: bool
) -> None:
    async with db.acquire() as conn:
        run = await _load_leased(conn, stale=stale)
        rid, token = run["id"], run["lease_token"]
        plan = await _explain(
            conn,
            "EXPLAIN (FORMAT JSON) " + q("run_finish"),
            rid,
            OWNER,
            token,
            "SUCCEEDED",
            {},
            None,
            None,
            None,
            None,
        )
        _assert_one_run_by_pkey(plan)
        plan = await _explain(
            conn,
            "EXPLAIN (FORMAT JSON) " + q("run_heartbeat"),
            rid,
            OWNER,
            token,
            60.0,
            None,
            120.0,
            SECRET_HASH,
        )
        _assert_one_run_by_pkey(plan)
        plan = await _explain(  # no length named: the one it claimed with
            conn,
            "EXPLAIN (FORMAT JSON) " + q("run_heartbeat"),
            rid,
            OWNER,
            token,
            None,
            None,
            120.0,
            SECRET_HASH,
        )
        _assert_one_run_by_pkey(plan)
        plan = await _explain(conn, "EXPLAIN (FORMAT JSON) " + q("reap_run"), rid, token, None)
        _assert_one_run_by_pkey(plan)


@pytest.mark.parametrize("stale", [False, True], ids=["analysed", "stale-statistics"])
async def test_finish_and_run_heartbeat_generic_plans_reach_the_run_by_primary_key(
    db: asyncpg.Pool, stale: bool
) -> None:
    async with db.acquire() as conn:
        run = await _load_leased(conn, stale=stale)
        rid, token = run["id"], run["lease_token"]
        await conn.execute(f"PREPARE finish({FINISH_TYPES}) AS " + q("run_finish"))
        await conn.execute(f"PREPARE beat({HEARTBEAT_TYPES}) AS " + q("run_heartbeat"))
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            plan = await _explain(
                conn,
                f"EXPLAIN (FORMAT JSON) EXECUTE finish('{rid}', '{OWNER}', {token},"
                " 'SUCCEEDED', '{}', NULL, NULL, NULL, NULL)",
            )
            _assert_one_run_by_pkey(plan)
            plan = await _explain(
                conn,
                f"EXPLAIN (FORMAT JSON) EXECUTE beat('{rid}', '{OWNER}', {token}, NULL, NULL, 120,"
                " '\\x0101')",
            )
            _assert_one_run_by_pkey(plan)
        finally:
            await conn.execute("RESET plan_cache_mode")
            await conn.execute("DEALLOCATE finish")
            await conn.execute("DEALLOCATE beat")


def _rows_read_from_runs(plan: Any) -> int:
    """Rows the scans of `runs` returned, over all their loops (EXPLAIN ANALYZE)."""
    return sum(
        int(n["Actual Rows"] * n["Actual Loops"])
        for n in _nodes(plan)
        if n.get("Relation Name") == "runs"
    )


async def test_reaper_and_cancel_lookup_do_not_read_every_leased_run(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        await _load_leased(conn)
        await conn.execute(
            "UPDATE runs SET cancel_requested = true WHERE status = 'LEASED' AND lease_token <= 3"
        )
        await conn.execute("ANALYZE runs")
        for generic in (False, True):
            if generic:
                await conn.execute("SET plan_cache_mode = force_generic_plan")
            try:
                # every runner alive: a couple of index probes, nothing to reap
                plan = await _explain(
                    conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q("reap_candidates"), None, 500
                )
                nodes = _nodes(plan)
                text = json.dumps(plan, indent=1)
                assert not any(
                    n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "runs" for n in nodes
                ), text
                assert _rows_read_from_runs(plan) <= 10, text
                plan = await _explain(
                    conn,
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + q("runner_cancel_requested"),
                    OWNER,
                )
                text = json.dumps(plan, indent=1)
                assert any(
                    n.get("Index Name") == "ix_runs_cancel_requested" for n in _nodes(plan)
                ), text
                assert _rows_read_from_runs(plan) == 3, text
            finally:
                await conn.execute("RESET plan_cache_mode")
        ids = await conn.fetchval(q("runner_cancel_requested"), OWNER)
        assert len(ids) == 3
        # the runner's lease lapses: all its runs are candidates, through the owner index
        await conn.execute("UPDATE runner_leases SET expires_at = now() - interval '1 second'")
        got = await conn.fetch(q("reap_candidates"), None, 20_000)
        assert len(got) == 10_000
        plan = await _explain(
            conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q("reap_candidates"), None, 500
        )
        nodes = _nodes(plan)
        text = json.dumps(plan, indent=1)
        assert not any(
            n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "runs" for n in nodes
        ), text


def _rows_read(plan: Any, table: str) -> int:
    """Rows the scans of `table` returned, over all their loops (EXPLAIN ANALYZE)."""
    return sum(
        int(n["Actual Rows"] * n["Actual Loops"])
        for n in _nodes(plan)
        if n.get("Relation Name") == table and n["Node Type"] != "ModifyTable"
    )


@pytest.mark.parametrize("stale", [False, True], ids=["analysed", "stale-statistics"])
async def test_batched_completion_reads_only_the_batch(db: asyncpg.Pool, stale: bool) -> None:
    """Group commit of 64 runs with 10,000 executions RUNNING: every statement of the
    batch reads its executions and runs by key. The status test of
    executions_complete_many once matched ix_workflow_executions_status, and each
    batch read all 20,000 RUNNING executions (40M index entries in a 20 s probe phase).
    """
    async with db.acquire() as conn:
        await _load_leased(conn, stale=stale)
        batch = await conn.fetch(
            "SELECT id, execution_id, lease_token FROM runs WHERE status = 'LEASED'"
            " ORDER BY lease_token LIMIT 64"
        )
        executions = [r["execution_id"] for r in batch]
        items = [
            {
                "id": str(r["id"]),
                "execution_id": str(r["execution_id"]),
                "token": r["lease_token"],
                "output": {},
                "started_at": None,
            }
            for r in batch
        ]
        completed = [{"id": str(e), "outputs": {"s": {}}} for e in executions]
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("executions_lock_many", (sorted(executions),)),
            ("runs_complete_many", (OWNER, items)),
            ("executions_runs_latest_many", (executions,)),
            ("executions_complete_many", (completed, executions)),
        ]
        for name, args in statements:
            tx = conn.transaction()
            await tx.start()
            try:
                plan = await _explain(conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q(name), *args)
            finally:
                await tx.rollback()
            text = name + "\n" + json.dumps(plan, indent=1)
            assert _rows_read(plan, "workflow_executions") <= 64, text
            assert _rows_read(plan, "runs") <= 64, text


@pytest.mark.parametrize("stale", [False, True], ids=["analysed", "stale-statistics"])
async def test_claim_walks_the_ready_index_in_order_and_stops_at_the_limit(
    db: asyncpg.Pool, stale: bool
) -> None:
    """A burst: 10,000 runs became ready before any ANALYZE. The claim, planned
    as claim_runs plans it (claim_plan), reads 64 of them, not all 10,000 plus a sort
    (the bitmap plan the stale statistics invite)."""
    async with db.acquire() as conn:
        wf = await conn.fetchval(
            "INSERT INTO workflows (name, version, steps) VALUES ('b', 1, '[]') RETURNING id"
        )
        await conn.execute(
            """
            INSERT INTO workflow_executions (workflow_id, workflow_version, status,
                                             idempotency_key, request_hash)
            SELECT $1, 1, 'RUNNING', 'b' || g, 'b' || g FROM generate_series(1, 10000) g
            """,
            wf,
        )
        await conn.execute(
            """
            INSERT INTO runs (execution_id, step_key, module, status, idempotency_key,
                              available_at)
            SELECT id, 'p', 'noop', 'PENDING', idempotency_key, clock_timestamp()
            FROM workflow_executions WHERE idempotency_key LIKE 'b%'
            """
        )
        if not stale:
            await conn.execute("ANALYZE")
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute(q("claim_plan"))
            plan = await _explain(
                conn,
                "EXPLAIN (ANALYZE, FORMAT JSON) " + q("run_claim"),
                "r",
                ["noop"],
                64,
                None,
                120.0,
                None,
            )
        finally:
            await tx.rollback()
        text = json.dumps(plan, indent=1)
        scans = [n for n in _nodes(plan) if n.get("Index Name") == "ix_runs_ready"]
        assert scans and all(n["Node Type"] == "Index Scan" for n in scans), text
        assert sum(n["Actual Rows"] * n["Actual Loops"] for n in scans) <= 64, text
        assert not any(
            n["Node Type"] == "Sort" and n.get("Plans", [{}])[0].get("Relation Name") == "runs"
            for n in _nodes(plan)
        ), text


class Recorded:
    """A connection that only notes the statement a repository would send."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        self.statements.append((query, args))
        return []


@pytest.mark.parametrize(
    "filters",
    [{}, {"status": "RUNNING"}, {"workflow_id": "wf"}],
    ids=["all", "by-status", "by-workflow"],
)
async def test_execution_list_pages_walk_an_index_newest_first(
    db: asyncpg.Pool, filters: dict[str, Any]
) -> None:
    """GET /WorkflowExecution (the generated repository's keyset query, as it sends
    it): a page reads its 51 rows from an index in (created_at, id) order, never all
    executions + a sort."""
    from generated.repositories.workflow_execution import WorkflowExecutionRepository

    async with db.acquire() as conn:
        await _load(conn, pending=20_000, done=20_000)  # 4,000 executions, analysed
        await conn.execute(
            """
            INSERT INTO workflow_executions (workflow_id, workflow_version, status,
                                             idempotency_key, request_hash, created_at)
            SELECT (SELECT id FROM workflows LIMIT 1), 1,
                   CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END,
                   'x' || g, 'x' || g, now() - make_interval(secs => g)
            FROM generate_series(1, 40000) g
            """
        )
        await conn.execute("ANALYZE workflow_executions")
        if filters == {"workflow_id": "wf"}:
            filters = {"workflow_id": await conn.fetchval("SELECT id FROM workflows LIMIT 1")}
        last = await conn.fetchrow(
            "SELECT created_at, id FROM workflow_executions ORDER BY created_at DESC, id DESC"
            " OFFSET 20000 LIMIT 1"
        )
        recorded = Recorded()
        repo = WorkflowExecutionRepository(recorded)
        await repo.list(limit=50, filters=filters)
        await repo.list(limit=50, filters=filters, cursor=encode_cursor(*last.values()))
        assert len(recorded.statements) == 2
        for sql, params in recorded.statements:
            plan = await _explain(conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *params)
            text = json.dumps(plan, indent=1)
            assert not any(n["Node Type"] == "Sort" for n in _nodes(plan)), text
            assert _rows_read(plan, "workflow_executions") <= 51 * 10, text


# -- priorities and concurrency limits --------------------------------------------------


async def test_an_idle_runners_next_wake_up_reads_one_run_per_priority(db: asyncpg.Pool) -> None:
    """ix_runs_ready leads with priority_rank: min(available_at) over it read every
    waiting run (20,000 here); the per-rank walk reads at most one each."""
    async with db.acquire() as conn:
        await _load(conn)
        await conn.execute(
            "UPDATE runs SET available_at = now() + interval '1 hour',"
            " priority_rank = (random() * 9)::int WHERE status = 'PENDING'"
        )
        await conn.execute("ANALYZE runs")
        plan = await _explain(
            conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q("runs_next_available_in"), ["noop"]
        )
        text = json.dumps(plan, indent=1)
        assert _rows_read(plan, "runs") <= 10, text
        assert 3500 < await conn.fetchval(q("runs_next_available_in"), ["noop"]) <= 3600


def _assert_no_seq_scan(plan: Any, *tables: str) -> None:
    text = json.dumps(plan, indent=1)
    for n in _nodes(plan):
        assert not (n["Node Type"] == "Seq Scan" and n.get("Relation Name") in tables), text


async def test_the_aging_pass_reads_ready_runs_and_their_executions_by_index(
    db: asyncpg.Pool,
) -> None:
    """20,000 ready runs: all due to rise (500 changed), then all at the top already
    (nothing read). Never a scan of runs or of executions."""
    async with db.acquire() as conn:
        await _load(conn)
        await conn.execute(
            "UPDATE runs SET priority_rank = 9, available_at = now() - interval '1 hour'"
            " WHERE status = 'PENDING'"
        )
        await conn.execute("ANALYZE")
        explain = "EXPLAIN (ANALYZE, FORMAT JSON) " + q("runs_age_priority")
        plan = await _explain(conn, explain, None, 10.0, 500)
        _assert_no_seq_scan(plan, "runs", "workflow_executions")
        assert plan[0]["Plan"]["Actual Rows"] == 500, json.dumps(plan, indent=1)
        await conn.execute("UPDATE runs SET priority_rank = 0 WHERE status = 'PENDING'")
        await conn.execute("ANALYZE runs")
        plan = await _explain(conn, explain, None, 10.0, 500)
        _assert_no_seq_scan(plan, "runs", "workflow_executions")
        assert _rows_read(plan, "runs") == 0, json.dumps(plan, indent=1)


async def test_a_concurrency_slot_count_reads_only_its_keys_executions(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        await _load(conn)  # 4,000 RUNNING executions without a key
        wf = await conn.fetchval("SELECT id FROM workflows")
        await conn.execute(
            "UPDATE workflow_executions SET concurrency_key = 'k' || (random() * 400)::int"
        )
        await conn.execute("ANALYZE workflow_executions")
        plan = await _explain(
            conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q("concurrency_slots"), wf, "k7", None
        )
        text = json.dumps(plan, indent=1)
        assert any(
            n.get("Index Name") == "ix_workflow_executions_concurrency" for n in _nodes(plan)
        ), text
        assert _rows_read(plan, "workflow_executions") < 50, text


@pytest.mark.parametrize("throttled", [False, True])
async def test_claim_of_rate_limited_runs_reads_the_batch_and_one_bucket(
    db: asyncpg.Pool, throttled: bool
) -> None:
    """20,000 ready runs all naming one rate limit (with tokens to spare, or none):
    the claim still walks ix_runs_ready for its batch only, reads the bucket once by
    its key, and leases (or parks) exactly that batch."""
    async with db.acquire() as conn:
        await _load(conn, pending=20_000, done=0)
        await conn.execute("UPDATE runs SET rate_limit_key = 'api'")
        await conn.execute(
            "INSERT INTO rate_limits (key, per_second, burst, tokens) VALUES ('api', 1, 100, $1)",
            0.0 if throttled else 100.0,
        )
        await conn.execute("VACUUM ANALYZE runs")
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute(q("claim_plan"))
            plan = await _explain(conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + q("run_claim"), *PARAMS)
            leased = await conn.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'")
        finally:
            await tx.rollback()
    text = json.dumps(plan, indent=1)
    _assert_uses_ready_index(plan)
    scans = [n for n in _nodes(plan) if n.get("Index Name") == "ix_runs_ready"]
    assert sum(n["Actual Rows"] * n["Actual Loops"] for n in scans) <= 32, text
    buckets = [n for n in _nodes(plan) if n.get("Relation Name") == "rate_limits"]
    assert buckets and all(n["Actual Rows"] * n["Actual Loops"] <= 1 for n in buckets), text
    assert leased == (0 if throttled else 32)
