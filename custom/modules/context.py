"""What a module knows about the run it executes.

The context is how the runner hands over the idempotency key (so a module can
deduplicate external side effects), the cooperative cancellation signal
(set when a heartbeat answers ``cancelRequested`` or the lease is lost) and the
process's shared HTTP client (its connections are kept across runs; traced when
tracing is on).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

import httpx

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
    # owned by the engine that runs the module (closed when it stops); None outside one
    http_client: httpx.AsyncClient | None = None

    @property
    def cancelled(self) -> bool:
        """True once the runner asked this run to stop (check between units of work)."""
        return self.cancel_event.is_set()
