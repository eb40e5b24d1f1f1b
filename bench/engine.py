"""In-process Valkyr scenarios: hold, burst, chain.

Each repeat gets a fresh database (a copy of the migrated template) and its own
engine (custom.engine.services.start_engine: the RunnerPool plus the reaper),
exactly as the service wires them, on an asyncpg pool of its own. Executions are
submitted with custom.executions.start.start_execution on a separate pool, the
path POST /v1/WorkflowExecution takes without the HTTP layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.pg import PgCpu, Server
from bench.stats import Cpu, GcPauses, LoopLag, bounded_gather, latency_summary, open_loop

SUBMIT_CONCURRENCY = 16
BATCH_SIZE = 250  # executions per start_many transaction in burst


# -- plumbing -------------------------------------------------------------------
async def insert_workflow(pool: asyncpg.Pool, name: str, steps: list[dict[str, Any]]) -> uuid.UUID:
    """Store a workflow as the API does (validated, version 1)."""
    from custom.workflows.validation import validate_steps

    steps = validate_steps(steps)
    async with pool.acquire() as conn, conn.transaction():
        wf_id = await conn.fetchval(
            "INSERT INTO workflows (name, version, steps) VALUES ($1, 1, $2) RETURNING id",
            name,
            steps,
        )
        await conn.execute(
            "INSERT INTO workflow_versions (workflow_id, version, name, steps)"
            " VALUES ($1, 1, $2, $3)",
            wf_id,
            name,
            steps,
        )
    return wf_id


class HeartbeatCounter:
    """Counts (and times) the runner's heartbeat statements by wrapping the call it makes
    (`module`.`name`: the reaper's pass is timed the same way, see ReaperCounter)."""

    module = "custom.runner.heartbeat"
    name = "heartbeat_runner"

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.failures = 0

    @contextlib.contextmanager
    def installed(self) -> Any:
        import importlib

        runner_pool = importlib.import_module(self.module)
        original = getattr(runner_pool, self.name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            except Exception:
                self.failures += 1
                raise
            finally:
                self.durations.append(time.perf_counter() - t0)

        setattr(runner_pool, self.name, counted)
        try:
            yield self
        finally:
            setattr(runner_pool, self.name, original)

    def mark(self) -> int:
        return len(self.durations)


class ReaperCounter(HeartbeatCounter):
    """Times the reaper's passes (reap_candidates and what it reaps)."""

    module = "custom.reaper.reaper"
    name = "reap_once"


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (the engine runs in it)."""
    import resource

    now = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rss_mb": round(now, 1), "peak_rss_mb": round(peak, 1)}


@dataclass
class Rig:
    """One fresh database with an engine pool and a submit pool."""

    server: Server
    db_url: str
    pool: asyncpg.Pool  # the engine's (runner + reaper)
    submit: asyncpg.Pool  # the harness's submitters
    settings: Any
    engine: Any = None
    heartbeats: HeartbeatCounter = field(default_factory=HeartbeatCounter)
    reaper: ReaperCounter = field(default_factory=ReaperCounter)

    async def start_engine(self, slots: int) -> None:
        from custom.engine.services import start_engine

        self.engine = await start_engine(self.settings, self.db_url, self.pool, runners=slots)

    async def stop_engine(self) -> None:
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await engine.stop()

    async def start_batch(self, wf_id: uuid.UUID, inputs: list[dict[str, Any]]) -> None:
        from custom.executions.start import start_many

        async with self.submit.acquire() as conn:
            await start_many(conn, wf_id, inputs)

    async def start(self, wf_id: uuid.UUID, inputs: dict[str, Any]) -> uuid.UUID:
        from custom.executions.start import start_execution

        async with self.submit.acquire() as conn:
            started = await start_execution(conn, wf_id, inputs)
        return started.execution["id"]


def engine_settings(db_url: str, opts: dict[str, Any]) -> Any:
    from custom.settings import Settings

    return Settings(
        database_url=db_url,
        migrate=False,
        runners=opts["slots"],
        claim_batch=opts["claim_batch"],
        lease_seconds=opts["lease_seconds"],
        heartbeat_seconds=opts["heartbeat_seconds"],
        reaper_interval_seconds=opts["reaper_interval_seconds"],
        poll_seconds=opts["poll_seconds"],
        hand_off=opts.get("hand_off", True),
        shutdown_grace_seconds=0.0,
        db_pool_size=opts["pool_size"],
        # a scenario measures one thing: retention runs only where it is measured (purge)
        retention_days=0.0,
    )


def settings_used(settings: Any, **extra: Any) -> dict[str, Any]:
    keep = (
        "runners",
        "claim_batch",
        "lease_seconds",
        "heartbeat_seconds",
        "reaper_interval_seconds",
        "poll_seconds",
        "db_pool_size",
        "hand_off",
    )
    return {**{k: getattr(settings, k) for k in keep}, **extra}


@contextlib.asynccontextmanager
async def rig(server: Server, opts: dict[str, Any]) -> AsyncIterator[Rig]:
    from custom.db.pools import create_pool

    db_url = await server.fresh("vk")
    pool = await create_pool(db_url, min_size=2, max_size=opts["pool_size"])
    submit = await create_pool(db_url, min_size=SUBMIT_CONCURRENCY, max_size=SUBMIT_CONCURRENCY)
    r = Rig(server, db_url, pool, submit, engine_settings(db_url, opts))
    try:
        with r.heartbeats.installed(), r.reaper.installed():
            yield r
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(r.stop_engine(), 60)
        for p in (submit, pool):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(p.close(), 10)
        await server.drop(db_url)


async def wait_until(check: Any, within: float, interval: float = 0.1) -> tuple[bool, float]:
    t0 = time.monotonic()
    while True:
        if await check():
            return True, time.monotonic() - t0
        if time.monotonic() - t0 > within:
            return False, time.monotonic() - t0
        await asyncio.sleep(interval)


TABLE_STATS = """
SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan,
       coalesce(idx_tup_fetch, 0) AS idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_hot_upd,
       n_tup_del, n_dead_tup
FROM pg_stat_user_tables
WHERE relname IN ('runs', 'runner_leases', 'workflow_executions', 'workflows',
                  'workflow_versions')
"""
INDEX_STATS = """
SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes
WHERE relname IN ('runs', 'runner_leases', 'workflow_executions')
"""


async def db_counters(pool: asyncpg.Pool) -> dict[str, dict[str, int]]:
    """Table and index access counters (pg_stat_*), to diff around a phase."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        tables = {
            r["relname"]: {k: r[k] for k in r.keys() if k != "relname"}
            for r in await conn.fetch(TABLE_STATS)
        }
        indexes = {
            r["indexrelname"]: {"idx_scan": r["idx_scan"], "idx_tup_read": r["idx_tup_read"]}
            for r in await conn.fetch(INDEX_STATS)
        }
    return {**tables, **{f"index {k}": v for k, v in indexes.items()}}


def counters_delta(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, vals in b.items():
        before = a.get(name, {})
        d = {k: v - before.get(k, 0) for k, v in vals.items() if k != "n_dead_tup"}
        if "n_dead_tup" in vals:
            d["n_dead_tup_now"] = vals["n_dead_tup"]
        if any(d.values()):
            out[name] = d
    return out


async def dispatch_latencies(pool: asyncpg.Pool, execution_ids: list[uuid.UUID]) -> list[float]:
    rows = await pool.fetch(
        "SELECT extract(epoch FROM claimed_at - available_at)::float8 AS d FROM runs"
        " WHERE execution_id = ANY($1::uuid[]) AND claimed_at IS NOT NULL",
        execution_ids,
    )
    return [r["d"] for r in rows]


# -- hold -------------------------------------------------------------------------
async def hold(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    """N long runs leased and heartbeated while noop probes arrive open-loop."""
    n_hold = opts["hold_n"]
    async with rig(server, {**opts, "slots": n_hold + opts["probe_slots"]}) as r:
        wf_hold = await insert_workflow(
            r.submit,
            "bench-hold",
            [
                {
                    "key": "hold",
                    "module": "sleep",
                    "inputs": {"seconds": opts["hold_seconds"]},
                    "timeoutSeconds": opts["hold_seconds"] * 2,
                }
            ],
        )
        wf_probe = await insert_workflow(r.submit, "bench-probe", [{"key": "p", "module": "noop"}])
        await r.start_engine(n_hold + opts["probe_slots"])

        t0 = time.monotonic()
        hold_ids = await bounded_gather(
            n_hold, SUBMIT_CONCURRENCY, lambda i: r.start(wf_hold, {"hold": i})
        )
        submit_s = time.monotonic() - t0

        async def all_leased() -> bool:
            n = await r.submit.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'")
            return n >= n_hold

        leased, lease_wait = await wait_until(all_leased, opts["phase_timeout"])
        await asyncio.sleep(opts["heartbeat_seconds"])  # one heartbeat with everything leased

        pg_cpu = PgCpu(server.postmaster_pid())
        phases: dict[str, Any] = {}
        gc_pauses = GcPauses().__enter__()
        loop_lag = LoopLag()
        loop_lag.start()
        hb_first = r.heartbeats.mark()
        reap_first = r.reaper.mark()
        hb_t0 = time.monotonic()
        index = 0
        hooks = opts.get("hooks") or {}
        if "probes_start" in hooks:  # bench.profile: start profilers for the probe phases
            await hooks["probes_start"]()
        for rate in opts["probe_rates"]:
            ids: list[uuid.UUID] = []
            cpu = Cpu()
            cpu.start()
            pg_cpu.start()
            hb_mark = r.heartbeats.mark()
            gc_mark, lag_mark = gc_pauses.mark(), loop_lag.mark()
            counters0 = await db_counters(r.submit)
            t_phase = time.monotonic()

            async def probe(
                i: int, due: float, rate: float = rate, ids: list[uuid.UUID] = ids
            ) -> None:
                ids.append(await r.start(wf_probe, {"probe": i, "rate": rate, "due": due}))

            deadline = time.monotonic() + opts["probe_seconds"] + opts["phase_timeout"]
            paced = await open_loop(
                rate, opts["probe_seconds"], probe, start_index=index, deadline=deadline
            )
            index += paced["issued"]

            async def claimed(ids: list[uuid.UUID] = ids) -> bool:
                n = await r.submit.fetchval(
                    "SELECT count(*) FROM runs WHERE execution_id = ANY($1::uuid[])"
                    " AND claimed_at IS NOT NULL",
                    ids,
                )
                return n >= len(ids)

            all_claimed, _ = await wait_until(claimed, opts["phase_timeout"], 0.05)
            wall = time.monotonic() - t_phase
            service_cpu = cpu.stop()
            db_cpu = pg_cpu.stop()
            hb_n = r.heartbeats.mark() - hb_mark
            lat = await dispatch_latencies(r.submit, ids)
            sched = await r.submit.fetch(
                "SELECT extract(epoch FROM r.claimed_at)::float8"
                " - (e.inputs->>'due')::float8 AS d"
                " FROM runs r JOIN workflow_executions e ON e.id = r.execution_id"
                " WHERE r.execution_id = ANY($1::uuid[]) AND r.claimed_at IS NOT NULL",
                ids,
            )
            counters1 = await db_counters(r.submit)
            phases[f"{int(rate)}/s"] = {
                "dispatch": latency_summary(lat),
                # from the moment the open loop meant to submit to the claim: includes the
                # submit path queueing that available_at (stamped at insert) hides
                "scheduled_to_claim": latency_summary([x["d"] for x in sched]),
                "gc": gc_pauses.summary(gc_mark),
                "event_loop_lag": loop_lag.summary(lag_mark),
                "db_access": counters_delta(counters0, counters1),
                "all_claimed": all_claimed,
                "submit": paced,
                "wall_seconds": round(wall, 2),
                "heartbeats_per_s": round(hb_n / wall, 3),
                "service_cpu_cores": round(service_cpu / wall, 3),
                "service_cpu_ms_per_probe": round(1000 * service_cpu / max(len(ids), 1), 3),
                "db_cpu_cores": None if db_cpu is None else round(db_cpu / wall, 3),
            }
            await asyncio.sleep(0.5)

        hb_wall = time.monotonic() - hb_t0
        if "probes_end" in hooks:
            await hooks["probes_end"]()
        await loop_lag.stop()
        gc_pauses.__exit__()
        hb = r.heartbeats.durations[hb_first:]
        reaps = r.reaper.durations[reap_first:]
        memory = rss_mb()
        hold_set = [i for i in hold_ids if i is not None]
        lost = await r.submit.fetchrow(
            """
            SELECT count(*) FILTER (WHERE attempt > 1 OR status <> 'LEASED') AS lost,
                   count(*) FILTER (WHERE status = 'LEASED' AND attempt = 1) AS still_leased,
                   (SELECT coalesce(sum(value), 0) FROM engine_counters
                    WHERE name = 'leases_reclaimed') AS reclaimed
            FROM runs WHERE execution_id = ANY($1::uuid[])
            """,
            hold_set,
        )
        stats = await r.submit.fetchrow(
            "SELECT n_tup_upd, n_tup_hot_upd, n_dead_tup, n_live_tup, autovacuum_count,"
            " autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'runs'"
        )
        t_stop = time.monotonic()
        await r.stop_engine()
        stop_s = time.monotonic() - t_stop
        return {
            "hold_executions": n_hold,
            "hold_submit_seconds": round(submit_s, 2),
            "hold_submit_per_s": round(n_hold / submit_s, 1),
            "all_hold_leased": leased,
            "hold_lease_wait_seconds": round(lease_wait, 2),
            "phases": phases,
            "leases_lost": lost["lost"] + (n_hold - len(hold_set)),
            "hold_still_leased": lost["still_leased"],
            "leases_reclaimed_counter": lost["reclaimed"],
            "heartbeats": {
                "statements": len(hb),
                "per_s": round(len(hb) / hb_wall, 3) if hb_wall else None,
                "duration": latency_summary(hb),
                "failures": r.heartbeats.failures,
            },
            "reaper": {
                "passes": len(reaps),
                "duration": latency_summary(reaps),
                "failures": r.reaper.failures,
            },
            "memory": memory,
            "runs_table": dict(stats) if stats else None,
            "cleanup_seconds": round(stop_s, 2),
            "settings": settings_used(r.settings, runner_slots=n_hold + opts["probe_slots"]),
        }


# -- burst --------------------------------------------------------------------------
async def _completed(pool: asyncpg.Pool, wf_id: uuid.UUID) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE workflow_id = $1 AND status = 'COMPLETED'",
        wf_id,
    )


async def _window(pool: asyncpg.Pool, wf_id: uuid.UUID) -> asyncpg.Record:
    return await pool.fetchrow(
        """
        SELECT min(created_at) AS first_created, max(finished_at) AS last_finished,
               extract(epoch FROM max(finished_at) - min(created_at))::float8 AS span,
               count(*) FILTER (WHERE status = 'COMPLETED') AS completed,
               count(*) AS total
        FROM workflow_executions WHERE workflow_id = $1
        """,
        wf_id,
    )


async def burst(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    """N single-step noop executions at once: live (runner running) and from a backlog."""
    n = opts["burst_n"]
    out: dict[str, Any] = {
        "executions": n,
        "submit_path": (
            f"in-process batch submit: custom.executions.start.start_many, {BATCH_SIZE} "
            f"executions per transaction, {SUBMIT_CONCURRENCY // 4} batches in parallel"
        ),
    }
    for mode in ("live", "backlog"):
        async with rig(server, opts) as r:
            wf = await insert_workflow(r.submit, "bench-burst", [{"key": "p", "module": "noop"}])
            if mode == "live":
                await r.start_engine(opts["slots"])
            pg_cpu = PgCpu(server.postmaster_pid())
            cpu = Cpu()
            cpu.start()
            pg_cpu.start()
            t0 = time.monotonic()
            batches = [list(range(i, min(i + BATCH_SIZE, n))) for i in range(0, n, BATCH_SIZE)]
            await bounded_gather(
                len(batches),
                SUBMIT_CONCURRENCY // 4,
                lambda b, wf=wf, bs=batches: r.start_batch(wf, [{"burst": i} for i in bs[b]]),
            )
            submit_s = time.monotonic() - t0
            t_engine = time.monotonic()
            hooks = opts.get("hooks", {})
            if mode == "backlog":
                if "probes_start" in hooks:  # bench.profile: profile the drain
                    await hooks["probes_start"]()
                await r.start_engine(opts["slots"])

            async def done(wf: uuid.UUID = wf) -> bool:
                return await _completed(r.submit, wf) >= n

            finished, _ = await wait_until(done, opts["phase_timeout"] * 3, 0.1)
            t_last = time.monotonic()
            if mode == "backlog" and "probes_end" in hooks:
                await hooks["probes_end"]()
            service_cpu = cpu.stop()
            db_cpu = pg_cpu.stop()
            w = await _window(r.submit, wf)
            ids = [
                x["id"]
                for x in await r.submit.fetch(
                    "SELECT id FROM workflow_executions WHERE workflow_id = $1", wf
                )
            ]
            lat = await dispatch_latencies(r.submit, ids)
            res: dict[str, Any] = {
                "all_completed": finished,
                "completed": w["completed"],
                "submit_seconds": round(submit_s, 3),
                "submit_per_s": round(n / submit_s, 1),
                "dispatch": latency_summary(lat),
                "service_cpu_s": round(service_cpu, 2),
                "db_cpu_s": None if db_cpu is None else round(db_cpu, 2),
            }
            if mode == "live":
                # first submission to last completion, from the database clock
                res["time_to_last_completion_s"] = round(w["span"] or 0.0, 3)
                res["executions_per_s"] = (
                    round(w["completed"] / w["span"], 1) if w["span"] else None
                )
            else:
                drain = t_last - t_engine
                last = await r.submit.fetchval(
                    "SELECT extract(epoch FROM max(r.finished_at) - min(r.claimed_at))::float8"
                    " FROM runs r JOIN workflow_executions e ON e.id = r.execution_id"
                    " WHERE e.workflow_id = $1",
                    wf,
                )
                res["drain_seconds"] = round(last or drain, 3)
                res["executions_per_s"] = round(w["completed"] / last, 1) if last else None
            res["settings"] = settings_used(r.settings)
            out[mode] = res
    return out


# -- chain --------------------------------------------------------------------------
async def chain(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    """The chain with the hand-off off, then on (VALKYR_HAND_OFF), in the same run."""
    off = await chain_once(server, {**opts, "hand_off": False})
    on = await chain_once(server, {**opts, "hand_off": True})
    return {**on, "hand_off_off": off}


async def chain_once(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    """Executions of a linear 5-step noop workflow, paced open-loop."""
    n, steps = opts["chain_n"], opts["chain_steps"]
    async with rig(server, opts) as r:
        wf = await insert_workflow(
            r.submit,
            "bench-chain",
            [
                {
                    "key": f"s{k}",
                    "module": "noop",
                    "inputs": {"i": "${inputs.i}"},
                    **({"dependsOn": [f"s{k - 1}"]} if k > 1 else {}),
                }
                for k in range(1, steps + 1)
            ],
        )
        await r.start_engine(opts["slots"])
        ids: list[uuid.UUID] = []

        async def submit(i: int, due: float) -> None:
            ids.append(await r.start(wf, {"i": i}))

        rate = opts["chain_rate"]
        pg_cpu = PgCpu(server.postmaster_pid())
        cpu = Cpu()
        cpu.start()
        pg_cpu.start()
        t0 = time.monotonic()
        paced = await open_loop(rate, n / rate, submit, deadline=t0 + n / rate + 30)

        async def done() -> bool:
            return await _completed(r.submit, wf) >= len(ids)

        finished, _ = await wait_until(done, opts["phase_timeout"], 0.1)
        wall = time.monotonic() - t0
        service_cpu = cpu.stop()
        db_cpu = pg_cpu.stop()
        e2e = [
            x["d"]
            for x in await r.submit.fetch(
                "SELECT extract(epoch FROM finished_at - created_at)::float8 AS d"
                " FROM workflow_executions WHERE workflow_id = $1 AND status = 'COMPLETED'",
                wf,
            )
        ]
        rows = await r.submit.fetch(
            """
            SELECT extract(epoch FROM nxt.available_at - prv.finished_at)::float8 AS ready_gap,
                   extract(epoch FROM nxt.claimed_at - nxt.available_at)::float8 AS dispatch,
                   extract(epoch FROM nxt.claimed_at - prv.finished_at)::float8 AS handoff
            FROM runs prv
            JOIN runs nxt ON nxt.execution_id = prv.execution_id
             AND nxt.step_key = 's' || (substr(prv.step_key, 2)::int + 1)
            JOIN workflow_executions e ON e.id = prv.execution_id
            WHERE e.workflow_id = $1 AND prv.status = 'SUCCEEDED'
              AND nxt.claimed_at IS NOT NULL
            """,
            wf,
        )
        first = await dispatch_latencies(r.submit, ids)  # every step's claim, incl. step 1
        return {
            "executions": n,
            "steps": steps,
            "rate_per_s": rate,
            "all_completed": finished,
            "submit": paced,
            "end_to_end": latency_summary(e2e),
            "step_ready_gap": latency_summary([x["ready_gap"] for x in rows]),
            "step_dispatch": latency_summary([x["dispatch"] for x in rows]),
            "step_handoff": latency_summary([x["handoff"] for x in rows]),
            "dispatch_all_steps": latency_summary(first),
            "steps_per_s": round(len(first) / wall, 1),
            "service_cpu_ms_per_step": round(1000 * service_cpu / max(len(first), 1), 3),
            "db_cpu_ms_per_step": None
            if db_cpu is None
            else round(1000 * db_cpu / max(len(first), 1), 3),
            "settings": settings_used(r.settings),
        }
