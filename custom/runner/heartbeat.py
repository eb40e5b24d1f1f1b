"""Keeping a runner's lease alive, and the last line of defence for its runs.

Every interval, busy or idle, one one-row statement extends the runner's lease
(runner_leases), on the Listener's connection when there is one: a heartbeat
never waits behind a burst of completions for a pooled connection. While runs are
in flight a lock-free lookup brings back those whose execution was cancelled.
Then the heartbeat reconciles: a run the database says this runner holds but the
runner no longer tracks (a claim whose answer was lost, a report that gave up)
would stay leased as long as the runner lives; it is given back, fenced by its
token (PENDING, no attempt used), and counted.

After a failed heartbeat the next one comes soon (backoff capped at a second), so
the lease is extended again as soon as the database is back. The runner trusts
its runs only until `deadline()`: a lease length after the last heartbeat that
landed (or 90% of one after a claim, which leaves at least that much).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from custom.db.faults import OutageLog, backoff_delay, is_transient
from custom.executions.context import EngineContext
from custom.leases.claim import heartbeat_runner, held_untracked, release_runs
from custom.runner import hooks
from custom.runner.listener import Listener

log = logging.getLogger(__name__)
T = TypeVar("T")
OnPool = Callable[[Callable[[asyncpg.Connection], Awaitable[T]]], Awaitable[T]]


def io_timeout_for(lease_seconds: float) -> float:
    """How long one statement of the runner may take before its connection is taken
    for dead (a cut link never answers): a third of a lease, within [0.5 s, 10 s], so
    a retry on a fresh connection still lands while the lease holds."""
    return min(10.0, max(0.5, lease_seconds / 3))


class LeaseKeeper:
    def __init__(
        self,
        ctx: EngineContext,
        runner_id: str,
        *,
        lease_seconds: float,
        interval: float,
        io_timeout: float,
        claim_grace_seconds: float,
        listener: Listener | None,
        on_pool: OnPool,
        outage: OutageLog,
        tracked: Callable[[], set[uuid.UUID]],
        busy: Callable[[], bool],
    ) -> None:
        self.ctx = ctx
        self.runner_id = runner_id
        self.lease_seconds = lease_seconds
        self.interval = interval
        self.io_timeout = io_timeout
        self.claim_grace_seconds = claim_grace_seconds
        self.listener = listener
        self._on_pool = on_pool
        self._outage = outage
        self._tracked = tracked
        self._busy = busy
        self._lease_until = 0.0  # monotonic

    def deadline(self) -> float:
        """Monotonic time the runner's lease ends, as far as it knows: past it,
        another runner may hold its runs."""
        return self._lease_until

    def extended(self, sent: float, fraction: float = 1.0) -> None:
        """A statement sent at `sent` left the lease with `fraction` of its length."""
        self._lease_until = max(self._lease_until, sent + fraction * self.lease_seconds)

    async def beats(self, on_cancel: Callable[[list[uuid.UUID]], None]) -> None:
        """Heartbeat until cancelled; runs asked to cancel go to `on_cancel`."""
        failures = 0
        clock = self.ctx.clock
        while True:
            pause = self.interval
            if failures:
                pause = min(pause, backoff_delay(failures, base=0.1, cap=1.0) + 0.05)
            await clock.sleep(pause)
            sent = clock.monotonic()
            try:
                cancel_ids = await self._beat()
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("heartbeat failed")
                hooks.heartbeat_failed(self.ctx.metrics)
                self._outage.failed(exc)
                failures += 1
                continue
            failures = 0
            self._outage.succeeded()
            self.extended(sent)
            on_cancel(cancel_ids)
            await self.give_back_untracked()

    async def _beat(self) -> list[uuid.UUID]:
        async def beat(conn: asyncpg.Connection) -> list[uuid.UUID]:
            _expires, cancel_ids = await heartbeat_runner(
                conn, self.runner_id, self.lease_seconds, cancels=self._busy()
            )
            return cancel_ids

        if self.listener is not None:
            try:
                answer = await self.listener.run(beat, self.io_timeout)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                answer = None  # its connection is gone; the pool may have a live one
            if answer is not None:
                return answer
        return await self._on_pool(beat)

    async def give_back_untracked(self) -> int:
        """Give back the runs held but not tracked; how many went back."""
        try:
            stray = await self._on_pool(
                lambda c: held_untracked(
                    c, self.runner_id, self._tracked, older_than=self.claim_grace_seconds
                )
            )
            if not stray:
                return 0
            given = await self._on_pool(lambda c: release_runs(c, self.runner_id, stray))
        except Exception as exc:
            if not is_transient(exc):
                log.exception("reconciling held runs failed")
            return 0
        if given:
            self.ctx.metrics.count_runs_given_back(given)
            log.warning(
                "runner %s gave back %d run(s) it held but no longer tracked: %s",
                self.runner_id,
                given,
                ", ".join(str(run_id) for run_id, _ in stray[:10]),
            )
        return given
