"""Pairing kept signals with the waits they complete (see custom/executions/signals.py)."""

from __future__ import annotations

import uuid

import asyncpg

from custom.sql import q


async def deliver_signals(conn: asyncpg.Connection, execution_id: uuid.UUID) -> int:
    """Complete the execution's WAITING runs that have a signal kept for them (oldest
    wait with oldest signal, per name); how many. The caller holds the execution lock
    and advances the execution when this is > 0."""
    return len(await conn.fetch(q("signals_deliver"), execution_id))
