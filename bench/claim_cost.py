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
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from typing import Any

import asyncpg

from bench.pg import Server
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
    args = p.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
