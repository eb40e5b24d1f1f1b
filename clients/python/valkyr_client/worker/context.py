"""What a handler gets beside its inputs: who the run is, and whether to stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any


class Cancellation:
    """`if ctx.cancelled:` (a flag) or `await ctx.cancelled` (until it is set).

    Set when the run's execution was cancelled (the next heartbeat says so), when the
    worker lost the run's lease, or when a shutdown's grace period ran out. The
    worker also cancels the handler's task then; this lets a handler notice early
    or clean up."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    def __await__(self) -> Generator[Any, None, bool]:
        return self._event.wait().__await__()


@dataclass
class Context:
    """One run as its handler sees it. `idempotency_key` is the same for every attempt
    of the same inputs and config: pass it on to deduplicate side effects."""

    run_id: str
    execution_id: str
    step_key: str
    module: str
    attempt: int
    idempotency_key: str
    config: dict[str, Any]
    cancelled: Cancellation = field(default_factory=Cancellation)
    _heartbeat: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)

    async def heartbeat(self) -> None:
        """Extend the lease now (the worker also does it every interval, for all runs
        in one request): for a step about to block longer than the interval."""
        if self._heartbeat is not None:
            await self._heartbeat()
