"""Group commit of successful runs: one transaction for many completions.

A completion waits only while an earlier batch is being written; everything that
arrived meanwhile goes into the next batch. Idle, a completion is written at once
(no timer); busy, the cost of a commit is shared by up to `max_batch` runs. A batch
the database refuses is retried run by run, so one bad row cannot sink the others; a
batch that fails because the database is away fails for every caller, who retries
(custom/runner/reporting.py).

With hand-off slots (the runner pool), a batch also leases the next runs it makes
ready to the runner, up to the slots the pool reserves for it (custom.leases.batch).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Protocol

import asyncpg

from custom.db.faults import bounded, is_transient
from custom.executions.context import EngineContext
from custom.leases.batch import Completion, HandOff, complete_runs
from custom.leases.claim import LeaseLost
from custom.leases.finish import complete_run

log = logging.getLogger(__name__)


class HandOffSlots(Protocol):
    """The runner's side of a hand-off: room reserved before a batch, runs taken after."""

    def reserve(self, finishing: list[uuid.UUID]) -> HandOff | None:
        """Slots for the next runs of a batch finishing these runs (None: none)."""
        ...

    def settle(
        self, reserved: HandOff, rows: list[asyncpg.Record], landed: list[uuid.UUID]
    ) -> None:
        """The reservation ends; `rows` (committed, leased to the runner) start now, and
        the `landed` runs' slots count as free before their tasks are done."""
        ...


class Completer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        runner_id: str,
        ctx: EngineContext,
        *,
        max_batch: int = 64,
        writers: int = 2,
        timeout: float = 10.0,
        hand_off: HandOffSlots | None = None,
    ) -> None:
        self.pool = pool
        self.runner_id = runner_id
        self.ctx = ctx
        self.timeout = timeout  # one write on a dead link is given up after this
        self.max_batch = max_batch
        self.writers = writers
        self.hand_off = hand_off
        self._queue: list[tuple[Completion, asyncio.Future[bool]]] = []
        self._active = 0

    async def complete(self, item: Completion) -> bool:
        """Write the completion; False when the run's lease was lost (result dropped)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._active < self.writers:
            self._active += 1
            asyncio.create_task(self._drain(), name="valkyr-completer")
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                await self._write(batch)
        finally:
            self._active -= 1

    async def _write(self, batch: list[tuple[Completion, asyncio.Future[bool]]]) -> None:
        items = [item for item, _ in batch]
        ids = [item.run_id for item in items]
        reserved = self.hand_off.reserve(ids) if self.hand_off else None
        handed: list[asyncpg.Record] = []
        landed: list[uuid.UUID] = []
        try:
            async with self.pool.acquire(timeout=self.timeout) as conn:
                done = await bounded(
                    conn,
                    lambda c: complete_runs(c, self.runner_id, items, self.ctx, reserved),
                    self.timeout,
                )
            handed, landed = done.handed_off, ids
        except Exception as exc:
            if is_transient(exc):
                # the database is away: every caller retries (and is batched again)
                for _item, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                return
            # one row the database refuses must not sink the others: isolate it
            log.error(
                "batched completion refused (%r); completing %d run(s) one by one", exc, len(batch)
            )
            for item, future in batch:
                await self._write_one(item, future)
            return
        finally:
            # committed hand-offs start before the runs that led to them give up their slots
            if self.hand_off and reserved:
                self.hand_off.settle(reserved, handed, landed)
        for item, future in batch:
            if not future.done():
                future.set_result(item.run_id in done.finished)

    async def _write_one(self, item: Completion, future: asyncio.Future[bool]) -> None:
        try:
            async with self.pool.acquire(timeout=self.timeout) as conn:
                await bounded(
                    conn,
                    lambda c: complete_run(
                        c,
                        item.run_id,
                        self.runner_id,
                        item.token,
                        item.output,
                        started_at=item.started_at,
                        execution_id=item.execution_id,
                        ctx=self.ctx,
                    ),
                    self.timeout,
                )
            result: bool | BaseException = True
        except LeaseLost:
            result = False
        except Exception as exc:  # the caller logs it as a failed report
            result = exc
        if future.done():
            return
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
