"""Delivering a run's outcome: never dropped while the lease is alive.

A report that fails because the database is away (a restart, a failover, a cut
link, a serialization race) is sent again with backoff and jitter, on whatever
connection the pool hands out next, until one of three things happens:

- it lands (or it had landed: the commit went through and only its answer was lost);
- the database refuses it because the lease is gone (stale token, reclaimed run):
  the result is dropped, as fencing demands;
- the runner's own lease has run out (no successful heartbeat for a lease length):
  somebody else may hold the run by now, so the result is dropped too.

A report the database refuses for any other reason (a value it cannot store slipped
through) is reported once more as a permanent `bad_output` failure, so the run
still ends and does not sit leased to a live runner.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from custom.db.faults import OutageLog, backoff_delay, bounded, is_transient
from custom.executions.context import EngineContext
from custom.leases.batch import Completion
from custom.leases.claim import LeaseLost, report_landed
from custom.leases.finish import cancel_finished_run, fail_run
from custom.modules.outcome import Outcome
from custom.observability import tracing
from custom.runner import hooks
from custom.runner.completer import Completer

log = logging.getLogger(__name__)

LANDED, LOST = "landed", "lost"


class Reporter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        runner_id: str,
        completer: Completer,
        lease_deadline: Callable[[], float],
        outage: OutageLog,
        ctx: EngineContext,
    ) -> None:
        self.pool = pool
        self.runner_id = runner_id
        self.completer = completer
        self.ctx = ctx
        self.lease_deadline = lease_deadline  # monotonic time the runner's lease ends
        self.outage = outage

    async def deliver(
        self, row: asyncpg.Record, outcome: Outcome, started: datetime.datetime
    ) -> str:
        """Report `outcome` for the leased run `row`; LANDED or LOST."""
        attempt = 0
        unsure = False  # an earlier attempt may have committed before its answer was lost
        while True:
            try:
                landed = await self._send(row, outcome, started)
            except Exception as exc:
                if not is_transient(exc):
                    outcome = self._refused(row, outcome, exc)
                    if outcome is None:
                        return LOST
                    continue
                self.outage.failed(exc)
                self.ctx.metrics.count_report_retried()
                unsure = True
                attempt += 1
                left = self.lease_deadline() - self.ctx.clock.monotonic()
                if left <= 0:
                    return self._lost(row, "the runner's lease ran out before the report landed")
                await self.ctx.clock.sleep(min(backoff_delay(attempt, base=0.05, cap=2.0), left))
                continue
            self.outage.succeeded()
            if landed:
                return LANDED
            if unsure and await self._landed_anyway(row):
                return LANDED
            return self._lost(row, str(LeaseLost.of(row["id"], self.runner_id, row["lease_token"])))

    async def _send(
        self, row: asyncpg.Record, outcome: Outcome, started: datetime.datetime
    ) -> bool:
        """One attempt; False when the lease was lost."""
        if outcome.kind == "success":
            completion = Completion(
                row["id"],
                row["execution_id"],
                row["lease_token"],
                outcome.output,
                started,
                tracing.current_span(),
            )
            return await self.completer.complete(completion)

        async def report(conn: asyncpg.Connection) -> Any:
            if outcome.kind == "cancelled":
                return await cancel_finished_run(
                    conn,
                    row["id"],
                    self.runner_id,
                    row["lease_token"],
                    started_at=started,
                    execution_id=row["execution_id"],
                )
            return await fail_run(
                conn,
                row["id"],
                self.runner_id,
                row["lease_token"],
                outcome.error or {},
                retryable=outcome.retryable,
                started_at=started,
                execution_id=row["execution_id"],
                ctx=self.ctx,
            )

        timeout = self.completer.timeout
        try:
            async with self.pool.acquire(timeout=timeout) as conn:
                await bounded(conn, report, timeout)
        except LeaseLost:
            return False
        return True

    async def _landed_anyway(self, row: asyncpg.Record) -> bool:
        timeout = self.completer.timeout
        try:
            async with self.pool.acquire(timeout=timeout) as conn:
                return await bounded(
                    conn,
                    lambda c: report_landed(c, row["id"], self.runner_id, row["lease_token"]),
                    timeout,
                )
        except Exception:
            return False  # unknown: the run is not tracked any more either way

    def _refused(self, row: asyncpg.Record, outcome: Outcome, exc: BaseException) -> Outcome | None:
        """The database refused the report itself: report a permanent failure instead,
        once; a failure it refuses too is given up (the heartbeat hands the run back)."""
        if outcome.kind == "success":
            log.error("the database refused the output of run %s: %r", row["id"], exc)
            error: dict[str, Any] = {
                "message": f"the database refused the output: {exc}",
                "type": "bad_output",
            }
            return Outcome("failure", error=error, retryable=False)
        log.error("reporting run %s failed: %r; it will be given back", row["id"], exc)
        return None

    def _lost(self, row: asyncpg.Record, why: str) -> str:
        hooks.lease_lost()
        self.ctx.metrics.count_result_dropped()
        log.warning("result discarded: run %s: %s", row["id"], why)
        return LOST
