"""What a module knows about the run it executes.

The context is how the runner hands over the idempotency key (so a module can
deduplicate external side effects) and the cooperative cancellation signal
(set when a heartbeat answers ``cancelRequested`` or the lease is lost).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

__all__ = ["ModuleContext"]


@dataclass
class ModuleContext:
    """Per-run context passed to a module call."""

    run_id: UUID
    execution_id: UUID
    step_key: str
    attempt: int
    idempotency_key: str
    timeout_seconds: float
    cancel_event: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def cancelled(self) -> bool:
        """True once the runner asked this run to stop (check between units of work)."""
        return self.cancel_event.is_set()
