"""What a claim costs with rate-limited runs ready, beside the same claim without.

`python -m bench.claim_cost [--database-url URL] [--ready 10000] [--limit 32]
[--repeats 5]`: one database per case, each holding `--ready` PENDING runs
(analysed), claimed with EXPLAIN (ANALYZE, BUFFERS) of run_claim (after claim_plan,
as the runners do) in a transaction rolled back each time, so every repeat claims
from the same state. Cases, interleaved repeat by repeat (the first is the baseline):

- plain: no run names a rate limit (the common case: the bucket CTE reads nothing);
- unknown-key: every run names a key no RateLimit has (not limited);
- tokens: every run names a bucket that holds enough tokens (all `--limit` leased,
  one bucket row written);
- throttled: the bucket is empty (every run read is parked, none leased).

Prints the median (and min–max) execution and planning time and shared buffers.

`--queue N` measures instead how often rate-limited runs are parked before they run:
N runs of one key ready at once (bucket `--per-second`, `--burst`), claimed `--limit`
at a time with the claim's clock moved by `--step` seconds whenever nothing is ready
(no sleeping), until all are leased. Prints parks per run (1.0: each waiting run parked
once), claims, and when the last run was leased beside the ideal (N - burst) / rate.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import statistics
import sys
from typing import Any

import asyncpg

from bench.pg import Server
from custom.leases.claim import claim_runs
from custom.sql import q

CASES = ("plain", "unknown-key", "tokens", "throttled")


async def _load(conn: asyncpg.Connection, case: str, ready: int) -> None:
    """`ready` PENDING runs with the case's key, and its bucket."""
    key = {"plain": None, "unknown-key": "nobody"}.get(case, "api")
    wf = await conn.fetchval(
        "INSERT INTO workflows (name, version, steps) VALUES ('claim-cost', 1, '[]') RETURNING id"
    )
    await conn.execute(
        """INSERT INTO workflow_executions (workflow_id, workflow_version, status,
                                            idempotency_key, request_hash)
           SELECT $1, 1, 'RUNNING', 'k' || g, 'h' || g FROM generate_series(1, $2) AS g""",
        wf,
        ready,
    )
    await conn.execute(
        """INSERT INTO runs (execution_id, step_key, module, status, idempotency_key,
                             available_at, rate_limit_key)
           SELECT id, 's', 'noop', 'PENDING', 'i', now() - interval '1 minute', $1
           FROM workflow_executions""",
        key,
    )
    if case in ("tokens", "throttled"):
        tokens = 1_000_000 if case == "tokens" else 0
        await conn.execute(
            "INSERT INTO rate_limits (key, per_second, burst, tokens, refilled_at)"
            " VALUES ('api', 1, 1000000, $1, now())",
            float(tokens),
        )
    await conn.execute("VACUUM ANALYZE")


async def _claim(conn: asyncpg.Connection, case: str, limit: int) -> dict[str, Any]:
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(q("claim_plan"))
        raw = await conn.fetchval(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + q("run_claim"),
            f"bench-{case}",
            ["noop"],
            limit,
            None,
            120.0,
            None,
        )
        leased = await conn.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'")
        parked = await conn.fetchval(
            "SELECT count(*) FROM runs WHERE status = 'PENDING' AND available_at > now()"
        )
    finally:
        await tx.rollback()
    plan = json.loads(raw)[0]
    return {
        "execution_ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
        "shared_buffers": plan["Plan"].get("Shared Hit Blocks", 0)
        + plan["Plan"].get("Shared Read Blocks", 0),
        "leased": leased,
        "parked": parked,
    }


# counts every park (a PENDING run whose available_at a statement moved): the
# measuring database's own instrument, never in the schema
PARK_COUNTER = """
CREATE TABLE bench_parks (n int NOT NULL); INSERT INTO bench_parks VALUES (0);
CREATE FUNCTION bench_count_park() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN UPDATE bench_parks SET n = n + 1; RETURN NEW; END $$;
CREATE TRIGGER bench_count_park AFTER UPDATE ON runs FOR EACH ROW
WHEN (NEW.status = 'PENDING' AND NEW.available_at <> OLD.available_at)
EXECUTE FUNCTION bench_count_park();
"""


async def queue(url: str, n: int, per_second: float, burst: int, limit: int, step: float) -> str:
    conn = await asyncpg.connect(url)
    try:
        await _load(conn, "plain", n)
        t0 = await conn.fetchval("SELECT now()")
        await conn.execute("UPDATE runs SET rate_limit_key = 'api'")
        await conn.execute(q("rate_limit_create"), "api", per_second, burst, t0)
        await conn.execute(PARK_COUNTER)
        t, claims, leased = 0.0, 0, 0
        while leased < n:
            now = t0 + datetime.timedelta(seconds=t)
            got = await claim_runs(conn, "bench", ["noop"], limit, 60, now=now)
            claims, leased = claims + 1, leased + len(got)
            if not got and not await conn.fetchval(
                "SELECT count(*) FROM runs WHERE status = 'PENDING' AND available_at <= $1", now
            ):
                t += step
        parks = await conn.fetchval("SELECT n FROM bench_parks")
    finally:
        await conn.close()
    return (
        f"{n} runs, {per_second}/s, burst {burst}, claims of {limit}, clock step {step} s:"
        f" {parks / n:.2f} parks per run, {claims} claims, last leased at {t:.2f} s"
        f" (ideal {(n - burst) / per_second:.2f} s)"
    )


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


async def measure(
    urls: dict[str, str], ready: int, limit: int, repeats: int
) -> dict[str, list[dict]]:
    conns = {case: await asyncpg.connect(url) for case, url in urls.items()}
    try:
        for case, conn in conns.items():
            await _load(conn, case, ready)
        results: dict[str, list[dict]] = {c: [] for c in CASES}
        for _ in range(repeats + 1):  # the first round warms the caches: dropped
            for case, conn in conns.items():
                results[case].append(await _claim(conn, case, limit))
        return {c: r[1:] for c, r in results.items()}
    finally:
        for conn in conns.values():
            await conn.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.claim_cost", description=__doc__.split("\n")[0]
    )
    p.add_argument("--database-url", help="an existing server (default: an embedded one)")
    p.add_argument("--ready", type=int, default=10_000, help="PENDING runs ready to claim")
    p.add_argument("--limit", type=int, default=32, help="runs one claim may lease")
    p.add_argument("--repeats", type=int, default=5, help="measured claims per case (median shown)")
    p.add_argument("--queue", type=int, default=0, help="measure parks per run for N queued runs")
    p.add_argument("--per-second", type=float, default=50.0, help="--queue: the bucket's rate")
    p.add_argument("--burst", type=int, default=10, help="--queue: the bucket's burst")
    p.add_argument("--step", type=float, default=0.02, help="--queue: clock step in seconds")
    args = p.parse_args(argv)
    if args.queue:
        return _main_queue(args)
    server = Server.start(args.database_url)
    try:

        async def run() -> dict[str, list[dict]]:
            await server.create_template()
            urls = {case: await server.fresh("claimcost") for case in CASES}
            try:
                return await measure(urls, args.ready, args.limit, args.repeats)
            finally:
                for url in urls.values():
                    await server.drop(url)

        results = asyncio.run(run())
    finally:
        server.stop()
    print(f"run_claim, {args.ready} ready runs, limit {args.limit}, {args.repeats} repeats:")
    print(f"{'case':<12} {'execution ms':>22} {'planning ms':>22} {'buffers':>8} leased parked")
    for case, rows in results.items():
        print(
            f"{case:<12} {_summary([r['execution_ms'] for r in rows]):>22}"
            f" {_summary([r['planning_ms'] for r in rows]):>22}"
            f" {statistics.median(r['shared_buffers'] for r in rows):>8.0f}"
            f" {rows[-1]['leased']:>6} {rows[-1]['parked']:>6}"
        )
    return 0


def _main_queue(args: argparse.Namespace) -> int:
    server = Server.start(args.database_url)
    try:

        async def run() -> str:
            await server.create_template()
            url = await server.fresh("claimqueue")
            try:
                return await queue(
                    url, args.queue, args.per_second, args.burst, args.limit, args.step
                )
            finally:
                await server.drop(url)

        print(asyncio.run(run()))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
