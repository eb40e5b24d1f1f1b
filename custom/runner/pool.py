"""The in-process runner: an asyncio pool of N slots claiming runs in batches.

- claims are sized to the free slots (FOR UPDATE SKIP LOCKED, oldest first);
- it sleeps until LISTEN/NOTIFY says work appeared, the next delayed run is due,
  or the poll interval passes (so a lost notification only delays);
- the runner creates its lease row when it starts and extends it every heartbeat
  interval (one one-row statement, busy or idle), so claims never have to write
  it; while runs are in flight a second, lock-free lookup brings back the runs
  whose execution was cancelled: their tasks are interrupted;
- per-step timeouts; a clean stop waits a grace period, then gives the runs that
  are still leased back without using an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg

from custom.auth.runner_ids import in_process_runner_id
from custom.db.urls import asyncpg_url
from custom.leases.claim import (
    LeaseLost,
    claim_runs,
    extend_runner_lease,
    heartbeat_runner,
    release_runs,
)
from custom.leases.finish import Completion, cancel_finished_run, fail_run
from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError, TransientError
from custom.modules.registry import Module
from custom.observability import tracing
from custom.runner import hooks
from custom.runner.completer import Completer
from custom.runner.wakeup import wakeups
from custom.sql import q

log = logging.getLogger(__name__)
CHANNEL = "valkyr_runs"


def default_runner_id() -> str:
    return in_process_runner_id()


class RunnerPool:
    def __init__(
        self,
        pool: asyncpg.Pool,
        modules: Mapping[str, Module],
        *,
        slots: int,
        runner_id: str | None = None,
        lease_seconds: float = 120.0,
        heartbeat_seconds: float = 2.0,
        poll_seconds: float = 1.0,
        claim_batch: int = 32,
        database_url: str | None = None,
        shutdown_grace_seconds: float = 10.0,
    ) -> None:
        self.pool = pool
        self.modules = dict(modules)
        self.module_names = sorted(self.modules)
        self.slots = slots
        self.runner_id = runner_id or default_runner_id()
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.poll_seconds = poll_seconds
        self.claim_batch = claim_batch
        self.database_url = database_url
        self.shutdown_grace_seconds = shutdown_grace_seconds
        self._completer = Completer(pool, self.runner_id)
        self.inflight: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._cancel_requested: set[uuid.UUID] = set()
        self._wake = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._listener: asyncpg.Connection | None = None
        self._unstarted: list[asyncpg.Record] = []

    # -- lifecycle -------------------------------------------------------------
    async def start(self) -> None:
        await self._listen()
        wakeups.register(self.wake)
        try:
            await extend_runner_lease(self.pool, self.runner_id, self.lease_seconds)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.exception("could not create the runner's lease; the first claim will")
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="valkyr-claim"),
            asyncio.create_task(self._heartbeat_loop(), name="valkyr-heartbeat"),
        ]
        log.info(
            "runner %s started: %d slots, modules %s",
            self.runner_id,
            self.slots,
            ", ".join(self.module_names),
        )

    async def stop(self) -> None:
        wakeups.unregister(self.wake)
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
        leftover = list(self.inflight) + [row["id"] for row in self._unstarted]
        self._unstarted.clear()
        for task in self.inflight.values():
            task.cancel()
        await asyncio.gather(*self.inflight.values(), return_exceptions=True)
        if leftover:
            given_back = await release_runs(self.pool, self.runner_id, leftover)
            log.warning("runner %s gave back %d unfinished run(s)", self.runner_id, given_back)
        for task in self._tasks[1:]:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.pool.execute(q("runner_lease_drop"), self.runner_id)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        if not self.database_url:
            return
        try:
            self._listener = await asyncpg.connect(asyncpg_url(self.database_url))
            await self._listener.add_listener(CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError):
            log.warning("LISTEN unavailable; polling every %.2fs", self.poll_seconds)
            self._listener = None

    # -- claiming --------------------------------------------------------------
    async def _claim_loop(self) -> None:
        while not self._stopping:
            free = self.slots - len(self.inflight)
            if free <= 0:
                self._slot_free.clear()
                await self._slot_free.wait()
                continue
            self._wake.clear()  # before claiming: a NOTIFY from now on is not missed
            try:
                rows = await claim_runs(
                    self.pool,
                    self.runner_id,
                    self.module_names,
                    min(free, self.claim_batch),
                    self.lease_seconds,
                )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.exception("claim failed; retrying after the poll interval")
                await asyncio.sleep(self.poll_seconds)
                continue
            if self._stopping:  # claimed while stopping: given back by stop(), not run
                self._unstarted.extend(rows)
                break
            for row in rows:
                hooks.dispatched(row)
                self.inflight[row["id"]] = asyncio.create_task(self._execute(row))
            if rows:
                continue
            await self._idle_wait()

    async def _idle_wait(self) -> None:
        timeout = self.poll_seconds
        try:
            due_in = await self.pool.fetchval(q("runs_next_available_in"), self.module_names)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            due_in = None
        if due_in is not None:
            timeout = min(timeout, max(due_in, 0.0) + 0.002)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- heartbeats -------------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                _expires, cancel_ids = await self._heartbeat()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                hooks.heartbeat_failed()
                log.exception("heartbeat failed; runs keep going until their lease says")
                continue
            for run_id in cancel_ids:
                task = self.inflight.get(run_id)
                if task is not None and run_id not in self._cancel_requested:
                    self._cancel_requested.add(run_id)
                    task.cancel()

    async def _heartbeat(self) -> tuple[datetime.datetime, list[uuid.UUID]]:
        """On the LISTEN connection when there is one: a heartbeat never waits for a
        pooled connection behind a burst of completions. Falls back to the pool."""
        cancels = bool(self.inflight)
        own = self._listener
        if own is not None and not own.is_closed():
            try:
                return await asyncio.wait_for(
                    heartbeat_runner(own, self.runner_id, self.lease_seconds, cancels=cancels),
                    max(self.heartbeat_seconds * 5, 1.0),
                )
            except (OSError, TimeoutError, asyncpg.InterfaceError):
                log.warning("heartbeat on the LISTEN connection failed; using the pool")
        return await heartbeat_runner(
            self.pool, self.runner_id, self.lease_seconds, cancels=cancels
        )

    # -- running one run ----------------------------------------------------------
    async def _execute(self, row: asyncpg.Record) -> None:
        run_id = row["id"]
        started = datetime.datetime.now(datetime.UTC)
        status = "FAILED"
        try:
            async with hooks.run_trace(self.pool, row):
                status = await self._run_module(row, started)
        except asyncio.CancelledError:
            if run_id in self._cancel_requested:
                status = "CANCELLED"
                await self._report(
                    lambda c: cancel_finished_run(
                        c,
                        run_id,
                        self.runner_id,
                        row["lease_token"],
                        started_at=started,
                        execution_id=row["execution_id"],
                    )
                )
            elif not self._stopping:
                raise
        finally:
            self.inflight.pop(run_id, None)
            self._cancel_requested.discard(run_id)
            self._slot_free.set()
            hooks.finished(row, status, started)

    async def _run_module(self, row: asyncpg.Record, started: datetime.datetime) -> str:
        module = self.modules[row["module"]]
        ctx = ModuleContext(
            run_id=row["id"],
            execution_id=row["execution_id"],
            step_key=row["step_key"],
            attempt=row["attempt"],
            idempotency_key=row["idempotency_key"],
            timeout_seconds=row["timeout_seconds"],
        )
        token = row["lease_token"]
        try:
            output = await asyncio.wait_for(
                module(row["inputs"], row["config"], ctx), row["timeout_seconds"]
            )
            json.dumps(output)  # a module must return JSON; fail here, not in the driver
        except TransientError as exc:
            return await self._fail(row, exc.to_dict(), True, started)
        except PermanentError as exc:
            return await self._fail(row, exc.to_dict(), False, started)
        except TimeoutError:
            error = {
                "message": f"step timed out after {row['timeout_seconds']} s",
                "type": "timeout",
            }
            return await self._fail(row, error, True, started)
        except (TypeError, ValueError) as exc:
            error = {"message": f"module output is not JSON: {exc}", "type": "bad_output"}
            return await self._fail(row, error, False, started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an unexpected error in a module is transient: retry it
            error = {"message": str(exc) or type(exc).__name__, "type": type(exc).__name__}
            return await self._fail(row, error, True, started)
        completion = Completion(
            row["id"], row["execution_id"], token, output, started, tracing.current_span()
        )
        if not await self._completer.complete(completion):
            hooks.lease_lost()
            log.warning("result discarded: %s", LeaseLost.of(row["id"], self.runner_id, token))
        return "SUCCEEDED"

    async def _fail(
        self,
        row: asyncpg.Record,
        error: dict[str, Any],
        retryable: bool,
        started: datetime.datetime,
    ) -> str:
        await self._report(
            lambda c: fail_run(
                c,
                row["id"],
                self.runner_id,
                row["lease_token"],
                error,
                retryable=retryable,
                started_at=started,
                execution_id=row["execution_id"],
            )
        )
        return "FAILED"

    async def _report(self, call: Callable[[asyncpg.Connection], Awaitable[Any]]) -> None:
        """Send a run's result on a pooled connection; a lost lease drops the result."""
        try:
            async with self.pool.acquire() as conn:
                await call(conn)
        except LeaseLost as exc:
            hooks.lease_lost()
            log.warning("result discarded: %s", exc)
