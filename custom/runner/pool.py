"""The in-process runner: an asyncio pool of N slots claiming runs in batches.

- claims are sized to the free slots (FOR UPDATE SKIP LOCKED, oldest first);
- it sleeps until a wake-up says work appeared (a NOTIFY heard by the process's
  Listener, or a submit of this process), the next delayed run is due, or the poll
  interval passes (so a lost notification, or a LISTEN connection that is down,
  only delays);
- the runner's lease is kept alive by heartbeat.py (one statement per interval), which
  also brings back the runs asked to cancel (their modules are interrupted here) and
  gives back runs the runner holds but no longer tracks;
- hand-off: the completion of a step leases the step(s) it made ready to this runner
  in the same transaction when it has free slots (custom.leases.batch; `hand_off`), so
  a chain goes on without a NOTIFY and a claim between its steps;
- a result is delivered until it lands or the lease is lost (reporting.py), so a
  database restart or a cut link loses nothing and needs no restart;
- per-step timeouts; a clean stop waits a grace period, then gives the runs that
  are still leased back without using an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import asyncpg
import httpx

from custom.auth.runner_ids import in_process_runner_id
from custom.db.faults import OutageLog, backoff_delay, bounded, is_transient
from custom.executions.context import EngineContext
from custom.leases.batch import HandOff
from custom.leases.claim import claim_runs, extend_runner_lease, release_runs
from custom.modules.context import ModuleContext
from custom.modules.outcome import CANCELLED, Outcome, classify
from custom.modules.registry import Module
from custom.runner import hooks
from custom.runner.completer import Completer
from custom.runner.heartbeat import LeaseKeeper, io_timeout_for
from custom.runner.listener import Listener
from custom.runner.reporting import LANDED, Reporter
from custom.sql import q
from generated.constants import RunStatus

log = logging.getLogger(__name__)
T = TypeVar("T")
STATUS_OF = {
    "success": RunStatus.SUCCEEDED,
    "failure": RunStatus.FAILED,
    "cancelled": RunStatus.CANCELLED,
}


class RunnerPool:
    def __init__(
        self,
        pool: asyncpg.Pool,
        ctx: EngineContext,
        *,
        slots: int,
        runner_id: str | None = None,
        lease_seconds: float,
        heartbeat_seconds: float,
        poll_seconds: float,
        claim_batch: int,
        listener: Listener | None = None,
        shutdown_grace_seconds: float,
        hand_off: bool,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.pool = pool
        self.http_client = http_client  # the engine's; it closes it
        self.ctx = ctx
        self.clock = ctx.clock
        self.modules: Mapping[str, Module] = ctx.modules
        self.module_names = sorted(self.modules)
        self.slots = slots
        self.runner_id = runner_id or in_process_runner_id()
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.poll_seconds = poll_seconds
        self.claim_batch = claim_batch
        self.listener = listener
        self.shutdown_grace_seconds = shutdown_grace_seconds
        self.io_timeout = io_timeout_for(lease_seconds)
        # a claim whose answer never arrived is committed at most io_timeout after
        # its claimed_at: runs claimed longer ago than this and not tracked are lost
        self.claim_grace_seconds = 2 * self.io_timeout + heartbeat_seconds
        self._outage = OutageLog(log, f"runner {self.runner_id}")
        self._completer = Completer(
            pool, self.runner_id, ctx, timeout=self.io_timeout, hand_off=self if hand_off else None
        )
        self._reporter = Reporter(
            pool, self.runner_id, self._completer, self.lease_deadline, self._outage, ctx
        )
        self.inflight: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._tokens: dict[uuid.UUID, int] = {}
        self._reporting: set[uuid.UUID] = set()  # module done: a cancel must not interrupt
        self._cancel_requested: set[uuid.UUID] = set()
        self._wake = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        # slots promised to a claim or a hand-off whose runs have not arrived yet
        self._reserved = 0
        # runs whose completion landed and whose tasks are about to end: their slots are free
        self._landed: set[uuid.UUID] = set()
        self._unstarted: list[asyncpg.Record] = []
        # runs stop() is giving back: still ours, so the heartbeat must not give them back
        # too (with 100,000 held, the two raced over the same rows; bench hold)
        self._giving_back: set[uuid.UUID] = set()
        self.lease = LeaseKeeper(
            ctx,
            self.runner_id,
            lease_seconds=lease_seconds,
            interval=heartbeat_seconds,
            io_timeout=self.io_timeout,
            claim_grace_seconds=self.claim_grace_seconds,
            listener=listener,
            on_pool=self._on_pool,
            outage=self._outage,
            tracked=self._tracked,
            busy=lambda: bool(self.inflight),
        )

    # -- lifecycle -------------------------------------------------------------
    async def start(self) -> None:
        self.ctx.wakeups.register(self.wake)
        sent = self.clock.monotonic()
        try:
            await self._on_pool(
                lambda c: extend_runner_lease(c, self.runner_id, self.lease_seconds)
            )
            self.lease.extended(sent)
        except Exception as exc:
            if not is_transient(exc):
                raise
            self._outage.failed(exc)  # the first heartbeat or claim creates it
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="valkyr-claim"),
            asyncio.create_task(self.lease.beats(self._cancel), name="valkyr-heartbeat"),
        ]
        log.info(
            "runner %s started: %d slots, modules %s",
            self.runner_id,
            self.slots,
            ", ".join(self.module_names),
        )

    async def stop(self) -> None:
        self.ctx.wakeups.unregister(self.wake)
        self._stopping = True
        self._wake.set()
        self._slot_free.set()
        claim = self._tasks[0] if self._tasks else None
        if claim:
            # let a claim in flight finish: cancelling it after the database committed
            # would lose its runs (leased to us, never started, never given back)
            done, _ = await asyncio.wait([claim], timeout=self.shutdown_grace_seconds)
            if not done:
                claim.cancel()
            await asyncio.gather(claim, return_exceptions=True)
        if self.inflight:
            await asyncio.wait(list(self.inflight.values()), timeout=self.shutdown_grace_seconds)
        leftover = [(run_id, self._tokens[run_id]) for run_id in self.inflight]
        leftover += [(row["id"], row["lease_token"]) for row in self._unstarted]
        self._giving_back = {run_id for run_id, _ in leftover}
        self._unstarted.clear()
        for task in self.inflight.values():
            task.cancel()
        await asyncio.gather(*self.inflight.values(), return_exceptions=True)
        if leftover:
            try:
                given_back = await self._on_pool(
                    lambda c: release_runs(c, self.runner_id, leftover)
                )
                log.warning("runner %s gave back %d unfinished run(s)", self.runner_id, given_back)
            except Exception as exc:
                log.warning(
                    "runner %s could not give back %d run(s) (%r): the reaper takes them"
                    " back when the lease expires",
                    self.runner_id,
                    len(leftover),
                    exc,
                )
        for task in self._tasks[1:]:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._on_pool(lambda c: c.execute(q("runner_lease_drop"), self.runner_id))

    def wake(self) -> None:
        self._wake.set()

    def lease_deadline(self) -> float:
        return self.lease.deadline()

    def _cancel(self, run_ids: list[uuid.UUID]) -> None:
        """Their executions were cancelled: stop the modules still running."""
        for run_id in run_ids:
            task = self.inflight.get(run_id)
            if task is None or run_id in self._cancel_requested:
                continue
            self._cancel_requested.add(run_id)
            if run_id not in self._reporting:  # a finished module reports as it ended
                task.cancel()

    def _tracked(self) -> set[uuid.UUID]:
        return set(self.inflight) | {row["id"] for row in self._unstarted} | self._giving_back

    async def _on_pool(self, call: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """One bounded unit of work on a pooled connection (see io_timeout_for)."""
        async with self.pool.acquire(timeout=self.io_timeout) as conn:
            return await bounded(conn, call, self.io_timeout)

    # -- claiming --------------------------------------------------------------
    def _free(self) -> int:
        return self.slots - len(self.inflight) + len(self._landed) - self._reserved

    def _start(self, rows: list[asyncpg.Record]) -> None:
        for row in rows:
            hooks.dispatched(self.ctx.metrics, row)
            self._tokens[row["id"]] = row["lease_token"]
            self.inflight[row["id"]] = asyncio.create_task(self._execute(row))

    def reserve(self, finishing: list[uuid.UUID]) -> HandOff | None:
        """Room for the runs a completion batch makes ready (Completer's hand-off): the
        free slots plus those of the `finishing` runs, which leave as the batch lands."""
        if self._stopping:
            return None
        leaving = sum(1 for i in finishing if i in self.inflight and i not in self._landed)
        # the finishing runs' own slots are this batch's to pass on even when another
        # batch or the claim reserved every free one meanwhile (free < 0 then)
        room = min(max(self._free(), 0) + leaving, self.claim_batch)
        if room <= 0:
            return None
        self._reserved += room
        return HandOff(self.module_names, room, self.lease_seconds)

    def settle(
        self, reserved: HandOff, rows: list[asyncpg.Record], landed: list[uuid.UUID]
    ) -> None:
        self._reserved -= reserved.limit
        self._landed.update(i for i in landed if i in self.inflight)
        if not rows:
            self._slot_free.set()  # the claim loop may have waited for this room
            return
        self.ctx.metrics.count_runs_handed_off(len(rows))
        if self._stopping:  # given back by stop(), not run
            self._unstarted.extend(rows)
            return
        self._start(rows)

    async def _claim_loop(self) -> None:
        failures = 0
        while not self._stopping:
            free = min(self._free(), self.claim_batch)
            if free <= 0:
                self._slot_free.clear()
                await self._slot_free.wait()
                continue
            self._wake.clear()  # before claiming: a wake-up from now on is not missed
            sent = self.clock.monotonic()
            self._reserved += free
            try:
                rows = await self._on_pool(
                    lambda c: claim_runs(
                        c,
                        self.runner_id,
                        self.module_names,
                        free,  # noqa: B023 (called at once)
                        self.lease_seconds,
                    )
                )
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("claim failed; retrying")
                self._outage.failed(exc)
                failures += 1
                # the Listener wakes us as soon as it reconnects
                await self._wait_for_wake(backoff_delay(failures, cap=self.poll_seconds) + 0.01)
                continue
            finally:
                self._reserved -= free
            if failures:
                failures = 0
                self._outage.succeeded()
            if rows:  # a claim leaves the lease with at least 90% of its length
                self.lease.extended(sent, 0.9)
            if self._stopping:  # claimed while stopping: given back by stop(), not run
                self._unstarted.extend(rows)
                break
            self._start(rows)
            if rows:
                continue
            await self._idle_wait()

    async def _idle_wait(self) -> None:
        timeout = self.poll_seconds
        try:
            due_in = await self._on_pool(
                lambda c: c.fetchval(q("runs_next_available_in"), self.module_names)
            )
        except Exception:  # the next claim says whether the database is away
            due_in = None
        if due_in is not None:
            timeout = min(timeout, max(due_in, 0.0) + 0.002)
        await self._wait_for_wake(timeout)

    async def _wait_for_wake(self, seconds: float) -> None:
        await self.clock.wait(self._wake, seconds)

    # -- running one run ----------------------------------------------------------
    async def _execute(self, row: asyncpg.Record) -> None:
        run_id = row["id"]
        started = datetime.datetime.now(datetime.UTC)
        status = "LOST"
        try:
            try:
                async with hooks.run_trace(self.pool, row):
                    outcome = await self._run_module(row)
                    self._reporting.add(run_id)
                    status = await self._deliver(row, outcome, started)
            except asyncio.CancelledError:
                if run_id not in self._cancel_requested or run_id in self._reporting:
                    raise
                # the execution was cancelled: the module stopped; say so
                current = asyncio.current_task()
                if current is not None:
                    current.uncancel()
                self._reporting.add(run_id)
                status = await self._deliver(row, CANCELLED, started)
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # stopping: stop() gives the run back
        finally:
            self.inflight.pop(run_id, None)
            self._landed.discard(run_id)
            self._tokens.pop(run_id, None)
            self._reporting.discard(run_id)
            self._cancel_requested.discard(run_id)
            self._slot_free.set()
            hooks.finished(self.ctx.metrics, row, status, started)

    async def _deliver(self, row: asyncpg.Record, outcome: Outcome, started: Any) -> str:
        delivered = await self._reporter.deliver(row, outcome, started)
        return STATUS_OF[outcome.kind] if delivered == LANDED else "LOST"

    async def _run_module(self, row: asyncpg.Record) -> Outcome:
        """Call the run's module under its step timeout; what it did, classified."""
        module = self.modules[row["module"]]
        ctx = ModuleContext(
            run_id=row["id"],
            execution_id=row["execution_id"],
            step_key=row["step_key"],
            attempt=row["attempt"],
            idempotency_key=row["idempotency_key"],
            timeout_seconds=row["timeout_seconds"],
            http_client=self.http_client,
        )
        limit = row["timeout_seconds"]
        timer = asyncio.timeout(limit)
        try:
            async with timer:
                output = await module(row["inputs"], row["config"], ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return classify(exc=exc, timed_out=timer.expired(), timeout_seconds=limit or 0)
        return classify(output=output)
