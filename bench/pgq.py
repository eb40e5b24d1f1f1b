"""The baseline: pgqueuer (its defaults) on the same server, in its own database.

Measured like Valkyr as far as pgqueuer allows: dispatch latency is the job's
pick time minus its enqueue time, both stamped by PostgreSQL (`updated` is set to
NOW() by the dequeue, `created` by the insert), the same clock and meaning as
Valkyr's claimed_at - available_at. The handler start (Python clock) is kept too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.pg import PgCpu, Server
from bench.stats import Cpu, bounded_gather, latency_summary, open_loop

SUBMIT_CONCURRENCY = 16


def pgqueuer_version() -> str | None:
    try:
        import pgqueuer
    except ImportError:
        return None
    return getattr(pgqueuer, "__version__", None)


@dataclass
class Worker:
    """One pgqueuer QueueManager with a `noop` and a `hold` entrypoint."""

    conn: asyncpg.Connection
    hold_seconds: float
    release: asyncio.Event = field(default_factory=asyncio.Event)
    picks: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # tag -> (db, py)
    done: int = 0
    last_done: float = 0.0
    first_start: float | None = None
    task: asyncio.Task[None] | None = None
    qm: Any = None

    def build(self) -> None:
        from pgqueuer import AsyncpgDriver, Queries, QueueManager
        from pgqueuer.models import Job

        self.qm = QueueManager(Queries(AsyncpgDriver(self.conn)))

        @self.qm.entrypoint("noop")
        async def noop(job: Job) -> None:
            now = time.time()
            if self.first_start is None:
                self.first_start = time.monotonic()
            tag = (job.payload or b"").decode()
            self.picks.setdefault(tag, []).append(
                (
                    (job.updated - job.created).total_seconds(),
                    now - job.created.timestamp(),
                )
            )
            self.done += 1
            self.last_done = time.monotonic()

        @self.qm.entrypoint("hold")
        async def hold(job: Job) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), self.hold_seconds)

    def check(self) -> None:
        """Raise when the worker died (rather than waiting for its jobs)."""
        if self.task is not None and self.task.done():
            exc = None if self.task.cancelled() else self.task.exception()
            raise RuntimeError(f"pgqueuer worker stopped: {exc!r}")

    def start(self) -> None:
        self.build()
        self.task = asyncio.create_task(self.qm.run())  # pgqueuer's defaults

    async def stop(self) -> None:
        self.release.set()
        if self.qm is not None:
            self.qm.shutdown.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 60)
            except (TimeoutError, Exception):
                self.task.cancel()
                await asyncio.gather(self.task, return_exceptions=True)


@contextlib.asynccontextmanager
async def pgq_db(server: Server, hold_seconds: float) -> AsyncIterator[tuple[Any, Worker, Any]]:
    from pgqueuer import AsyncpgDriver, AsyncpgPoolDriver, Queries

    db_url = await server.fresh("pgq", template=None)
    conn = await asyncpg.connect(db_url)
    setup = await asyncpg.connect(db_url)
    pool = await asyncpg.create_pool(
        db_url, min_size=SUBMIT_CONCURRENCY, max_size=SUBMIT_CONCURRENCY
    )
    worker = Worker(conn, hold_seconds)
    try:
        await Queries(AsyncpgDriver(setup)).install()
        yield Queries(AsyncpgPoolDriver(pool)), worker, pool
    finally:
        await worker.stop()
        for c in (conn, setup):
            with contextlib.suppress(Exception):
                await c.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(pool.close(), 10)
        await server.drop(db_url)


async def _queue_len(pool: asyncpg.Pool, status: str | None = None) -> int:
    if status is None:
        return await pool.fetchval("SELECT count(*) FROM pgqueuer")
    return await pool.fetchval("SELECT count(*) FROM pgqueuer WHERE status = $1", status)


async def _wait(check: Any, within: float, interval: float = 0.05) -> bool:
    t0 = time.monotonic()
    while not await check():
        if time.monotonic() - t0 > within:
            return False
        await asyncio.sleep(interval)
    return True


async def burst(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    n = opts["burst_n"]
    out: dict[str, Any] = {
        "jobs": n,
        "submit_path": f"Queries.enqueue of one job on {SUBMIT_CONCURRENCY} pooled connections",
    }
    for mode in ("live", "backlog"):
        async with pgq_db(server, opts["hold_seconds"]) as (queries, worker, pool):
            if mode == "live":
                worker.start()
            cpu, pg_cpu = Cpu(), PgCpu(server.postmaster_pid())
            cpu.start()
            pg_cpu.start()
            t0 = time.monotonic()
            await bounded_gather(n, SUBMIT_CONCURRENCY, lambda i: queries.enqueue("noop", b"burst"))
            submit_s = time.monotonic() - t0
            if mode == "backlog":
                worker.start()

            async def handled() -> bool:
                worker.check()
                return worker.done >= n

            all_done = await _wait(handled, opts["phase_timeout"] * 3)

            async def empty() -> bool:
                return await _queue_len(pool) == 0

            all_logged = await _wait(empty, 30)
            t_empty = time.monotonic()
            service_cpu, db_cpu = cpu.stop(), pg_cpu.stop()
            lat = [d for d, _ in worker.picks.get("burst", [])]
            res: dict[str, Any] = {
                "all_completed": all_done,
                "completed": worker.done,
                "submit_seconds": round(submit_s, 3),
                "submit_per_s": round(n / submit_s, 1),
                "dispatch": latency_summary(lat),
                "queue_emptied": all_logged,
                "service_cpu_s": round(service_cpu, 2),
                "db_cpu_s": None if db_cpu is None else round(db_cpu, 2),
            }
            if mode == "live":
                span = worker.last_done - t0
                res["time_to_last_completion_s"] = round(span, 3)
                res["time_to_queue_empty_s"] = round(t_empty - t0, 3)
                res["executions_per_s"] = round(worker.done / span, 1) if span > 0 else None
            else:
                start = worker.first_start or t0
                span = worker.last_done - start
                res["drain_seconds"] = round(span, 3)
                res["executions_per_s"] = round(worker.done / span, 1) if span > 0 else None
            out[mode] = res
    out["settings"] = {
        "QueueManager.run": "defaults (batch_size=10, dequeue_timeout=30s, heartbeat_timeout=30s)",
        "enqueue": "one job per call",
    }
    return out


async def hold(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    """The same hold + trickle as Valkyr's: N long jobs in flight, noop probes open-loop."""
    n_hold = opts["hold_n"]
    async with pgq_db(server, opts["hold_seconds"]) as (queries, worker, pool):
        worker.start()
        t0 = time.monotonic()
        for start in range(0, n_hold, 1000):
            k = min(1000, n_hold - start)
            await queries.enqueue(["hold"] * k, [b"hold"] * k, [0] * k)
        submit_s = time.monotonic() - t0

        async def all_picked() -> bool:
            worker.check()
            return await _queue_len(pool, "picked") >= n_hold

        picked = await _wait(all_picked, opts["phase_timeout"], 0.2)
        await asyncio.sleep(opts["heartbeat_seconds"])
        phases: dict[str, Any] = {}
        pg_cpu = PgCpu(server.postmaster_pid())
        for rate in opts["probe_rates"]:
            tag = f"probe{int(rate)}"
            cpu = Cpu()
            cpu.start()
            pg_cpu.start()
            t_phase = time.monotonic()
            before = worker.done

            async def probe(i: int, due: float, tag: str = tag) -> None:
                await queries.enqueue("noop", tag.encode())

            paced = await open_loop(
                rate,
                opts["probe_seconds"],
                probe,
                deadline=time.monotonic() + opts["probe_seconds"] + opts["phase_timeout"],
            )
            target = before + paced["issued"] - paced["errors"]

            async def handled(target: int = target) -> bool:
                worker.check()
                return worker.done >= target

            all_handled = await _wait(handled, opts["phase_timeout"])
            wall = time.monotonic() - t_phase
            service_cpu, db_cpu = cpu.stop(), pg_cpu.stop()
            picks = worker.picks.get(tag, [])
            phases[f"{int(rate)}/s"] = {
                "dispatch": latency_summary([d for d, _ in picks]),
                "handler_start": latency_summary([h for _, h in picks]),
                "all_claimed": all_handled,
                "submit": paced,
                "wall_seconds": round(wall, 2),
                "service_cpu_cores": round(service_cpu / wall, 3),
                "service_cpu_ms_per_probe": round(1000 * service_cpu / max(len(picks), 1), 3),
                "db_cpu_cores": None if db_cpu is None else round(db_cpu / wall, 3),
            }
            await asyncio.sleep(0.5)
        lost = await pool.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'hold' AND"
            " (status <> 'picked' OR attempts > 0)"
        )
        still = await _queue_len(pool, "picked")
        return {
            "hold_jobs": n_hold,
            "hold_submit_seconds": round(submit_s, 2),
            "all_hold_picked": picked,
            "phases": phases,
            "leases_lost": lost,
            "hold_still_picked": still,
            "settings": {
                "QueueManager.run": "defaults (batch_size=10, heartbeat_timeout=30s)",
                "hold_enqueue": "batches of 1000",
                "probe_enqueue": "one job per call",
            },
        }
