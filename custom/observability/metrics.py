"""Prometheus metrics in text format at `GET /v1/metrics`.

Two kinds of numbers:

* engine-local, recorded into the `EngineMetrics` of one engine (its
  EngineContext: custom/executions/context.py), whose process serves them;
* database-wide, read at scrape time with the named queries of
  `custom/sql/metrics.sql`: runs by status, ready-queue depth per module, open
  dead letters, breaker states and the shared `engine_counters` — the same on
  every process, so dashboards should not sum them across instances.

Nothing is registered in prometheus_client's global registry: every scrape
renders into its own `CollectorRegistry`, so several apps (and tests) in one
process never clash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from custom.sql import q
from generated.constants import BreakerState, RunStatus

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
DISPATCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
               300.0, 600.0)  # fmt: skip
SCRAPE_TIMEOUT_SECONDS = 5.0
PURGED_KINDS = ("executions", "runs", "dead_letters", "audit")  # engine_counters purged_<kind>


class EngineMetrics:
    """The engine's own histograms and counters, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.dispatch_latency = Histogram(
            "valkyr_dispatch_latency_seconds",
            "Time from a run becoming ready (available_at) to being claimed",
            buckets=DISPATCH_BUCKETS,
            registry=self.registry,
        )
        self.run_duration = Histogram(
            "valkyr_run_duration_seconds",
            "Time a module took to execute one run attempt, by module and outcome",
            ["module", "status"],
            buckets=RUN_BUCKETS,
            registry=self.registry,
        )
        self._run_children: dict[tuple[str, str], Any] = {}
        self.leases_reclaimed = Counter(
            "valkyr_process_leases_reclaimed",
            "Runs whose expired lease this process's reaper reclaimed",
            registry=self.registry,
        )
        self.heartbeats_failed = Counter(
            "valkyr_process_heartbeats_failed",
            "Lease heartbeats of this process that failed or found the lease lost",
            registry=self.registry,
        )

        self.reports_retried = Counter(
            "valkyr_process_reports_retried",
            "Run reports (complete, fail) sent again because the database was unreachable",
            registry=self.registry,
        )
        self.results_dropped = Counter(
            "valkyr_process_results_dropped",
            "Run results not recorded because the run's lease was lost (fencing)",
            registry=self.registry,
        )
        self.runs_given_back = Counter(
            "valkyr_process_runs_given_back",
            "Runs the database said this process's runner held but it no longer tracked,"
            " given back by a heartbeat (PENDING, no attempt used)",
            registry=self.registry,
        )
        self.runs_handed_off = Counter(
            "valkyr_process_runs_handed_off",
            "Runs this process's runner leased to itself in the transaction that completed"
            " the step before them (VALKYR_HAND_OFF), without a claim",
            registry=self.registry,
        )

    def observe_dispatch(self, seconds: float) -> None:
        self.dispatch_latency.observe(max(0.0, seconds))

    def observe_run(self, module: str, status: str, seconds: float) -> None:
        child = self._run_children.get((module, status))
        if child is None:  # labels() costs a lock and a dict build per call: once per pair
            child = self._run_children[(module, status)] = self.run_duration.labels(module, status)
        child.observe(max(0.0, seconds))

    def count_lease_reclaimed(self, n: int = 1) -> None:
        if n > 0:
            self.leases_reclaimed.inc(n)

    def count_heartbeat_failed(self, n: int = 1) -> None:
        if n > 0:
            self.heartbeats_failed.inc(n)

    def count_report_retried(self, n: int = 1) -> None:
        self.reports_retried.inc(n)

    def count_result_dropped(self, n: int = 1) -> None:
        self.results_dropped.inc(n)

    def count_runs_given_back(self, n: int = 1) -> None:
        if n > 0:
            self.runs_given_back.inc(n)

    def count_runs_handed_off(self, n: int = 1) -> None:
        if n > 0:
            self.runs_handed_off.inc(n)

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


@dataclass
class DatabaseSnapshot:
    """What the database says at scrape time; `up` is False when it did not answer."""

    up: bool = True
    runs_by_status: dict[str, int] = field(default_factory=dict)
    ready_by_module: dict[str, int] = field(default_factory=dict)
    open_dead_letters: int = 0
    breakers: list[tuple[str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


async def read_snapshot(pool: asyncpg.Pool) -> DatabaseSnapshot:
    """One read-only transaction of the scrape queries (bounded by a statement timeout)."""
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS), pool.acquire() as conn:
            async with conn.transaction(readonly=True):
                await conn.execute(q("metrics_statement_timeout"))
                runs = await conn.fetch(q("metrics_runs_by_status"))
                ready = await conn.fetch(q("metrics_ready_by_module"))
                dead = await conn.fetchval(q("metrics_open_dead_letters"))
                breakers = await conn.fetch(q("metrics_breaker_states"))
                counters = await conn.fetch(q("metrics_engine_counters"))
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        log.warning("metrics: the database did not answer", exc_info=True)
        return DatabaseSnapshot(up=False)
    return DatabaseSnapshot(
        runs_by_status={r["status"]: r["n"] for r in runs},
        ready_by_module={r["module"]: r["n"] for r in ready},
        open_dead_letters=int(dead or 0),
        breakers=[(r["key"], r["state"]) for r in breakers],
        counters={r["name"]: r["value"] for r in counters},
    )


class SnapshotCollector(Collector):
    """The database gauges of one scrape."""

    def __init__(self, snap: DatabaseSnapshot) -> None:
        self.snap = snap

    def collect(self) -> Iterator[Metric]:
        snap = self.snap
        yield GaugeMetricFamily(
            "valkyr_database_up",
            "Whether the database answered this scrape",
            value=1 if snap.up else 0,
        )
        if not snap.up:
            return
        runs = GaugeMetricFamily("valkyr_runs", "Runs by status", labels=["status"])
        statuses = [s.value for s in RunStatus]
        for status in statuses + sorted(set(snap.runs_by_status) - set(statuses)):
            runs.add_metric([status], snap.runs_by_status.get(status, 0))
        yield runs
        ready = GaugeMetricFamily(
            "valkyr_queue_depth",
            "Runs ready to be claimed now (PENDING, not held, available), by module",
            labels=["module"],
        )
        for module, n in sorted(snap.ready_by_module.items()):
            ready.add_metric([module], n)
        yield ready
        yield GaugeMetricFamily(
            "valkyr_dead_letters_open",
            "Dead letters waiting for a decision (QUARANTINED)",
            value=snap.open_dead_letters,
        )
        breaker = GaugeMetricFamily(
            "valkyr_circuit_breaker_state",
            "1 for each breaker's current state (CLOSED, OPEN, HALF_OPEN), else 0",
            labels=["key", "state"],
        )
        for key, current in sorted(snap.breakers):
            for state in BreakerState:
                breaker.add_metric([key, state.value], 1 if state.value == current else 0)
        yield breaker
        yield CounterMetricFamily(
            "valkyr_leases_reclaimed",
            "Expired leases reclaimed by the reapers of all processes",
            value=snap.counters.get("leases_reclaimed", 0),
        )
        yield CounterMetricFamily(
            "valkyr_heartbeats_failed",
            "Failed lease heartbeats recorded by all processes",
            value=snap.counters.get("heartbeats_failed", 0),
        )
        purged = CounterMetricFamily(
            "valkyr_purged",
            "Rows deleted with finished executions (retention, valkyr purge, DELETE "
            "/WorkflowExecution) by all processes, by kind",
            labels=["kind"],
        )
        for kind in PURGED_KINDS:
            purged.add_metric([kind], snap.counters.get(f"purged_{kind}", 0))
        yield purged


def render(engine: EngineMetrics, snap: DatabaseSnapshot) -> bytes:
    """Prometheus text (0.0.4) of the engine metrics and a database snapshot."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Forward(engine))
    registry.register(SnapshotCollector(snap))
    return generate_latest(registry)


class _Forward(Collector):
    def __init__(self, source: EngineMetrics) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for metric in self.source.collect():
            # `_created` timestamps only add a series per metric in the 0.0.4 format
            metric.samples = [s for s in metric.samples if not s.name.endswith("_created")]
            yield metric


async def scrape(pool: asyncpg.Pool, engine: EngineMetrics) -> bytes:
    """The page of one engine's metrics (each engine has its own: custom.executions.context)."""
    return render(engine, await read_snapshot(pool))


__all__ = [
    "CONTENT_TYPE",
    "DatabaseSnapshot",
    "EngineMetrics",
    "read_snapshot",
    "render",
    "scrape",
]
