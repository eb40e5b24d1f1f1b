"""Claim ready runs and keep their leases alive."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Collection, Sequence

import asyncpg

from custom.leases.tokens import LeaseProof
from custom.settings import Settings
from custom.sql import q

# a lease row older than runner_leases.lease_seconds is extended by the server's length
DEFAULT_LEASE_SECONDS: float = Settings.model_fields["lease_seconds"].default


class LeaseLost(Exception):
    """The run is no longer held with this owner and token (409)."""

    @classmethod
    def of(cls, run_id: uuid.UUID, runner_id: str, token: int) -> LeaseLost:
        return cls(
            f"Run {run_id} is not leased to {runner_id!r} with token {token}"
            " (stale token, foreign runner or expired lease)"
        )


class RunNotFound(LookupError):
    """No such run (404)."""


async def claim_runs(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    modules: Sequence[str],
    limit: int,
    lease_seconds: float,
    now: datetime.datetime | None = None,
    *,
    secret_hashes: Sequence[bytes] | None = None,
) -> list[asyncpg.Record]:
    """Lease up to `limit` ready runs (run_claim), planned as claim_plan says; while no
    RateLimit exists, by run_claim_unlimited (the same statement without buckets).

    `secret_hashes` (a REST claim: at least `limit` of them): the n-th leased run
    keeps the n-th hash; each row's `lease_slot` (1-based) says which it got.
    """
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as own:
            return await claim_runs(
                own, runner_id, modules, limit, lease_seconds, now, secret_hashes=secret_hashes
            )
    hashes = list(secret_hashes) if secret_hashes is not None else None
    async with conn.transaction():
        rate_limited = await conn.fetchval(q("claim_plan"))
        claim = q("run_claim" if rate_limited else "run_claim_unlimited")
        return await conn.fetch(
            claim, runner_id, list(modules), limit, now, float(lease_seconds), hashes
        )


async def extend_runner_lease(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    lease_seconds: float,
    now: datetime.datetime | None = None,
) -> datetime.datetime:
    """Create or extend the runner's lease row; returns its new expiry."""
    return await conn.fetchval(q("runner_lease_extend"), runner_id, float(lease_seconds), now)


async def heartbeat_runner(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    lease_seconds: float,
    now: datetime.datetime | None = None,
    *,
    cancels: bool = True,
) -> tuple[datetime.datetime, list[uuid.UUID]]:
    """Extend the runner's lease; returns its expiry and the runs asked to cancel.

    Two statements, each committed on its own: the lease row is locked only for the
    one-row upsert, and the cancel lookup (a partial index of the runs asked to
    cancel) holds no lock at all. `cancels=False` skips the lookup (an idle runner).
    """
    expires = await extend_runner_lease(conn, runner_id, lease_seconds, now)
    if not cancels:
        return expires, []
    cancel_ids = await conn.fetchval(q("runner_cancel_requested"), runner_id)
    return expires, list(cancel_ids)


async def heartbeat_run(
    conn: asyncpg.Connection | asyncpg.Pool,
    run_id: uuid.UUID,
    runner_id: str,
    lease_token: int,
    lease_seconds: float | None,
    now: datetime.datetime | None = None,
    *,
    default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
    secret_hash: bytes,
) -> tuple[datetime.datetime, bool]:
    """REST heartbeat of one run; LeaseLost when the caller no longer holds it.

    `lease_seconds` None extends by the length the runner claimed with (the lease
    row keeps it); `default_lease_seconds` only serves lease rows older than that.
    `secret_hash`: of the secret the claim bound to the run's fencing number."""
    row = await conn.fetchrow(
        q("run_heartbeat"),
        run_id,
        runner_id,
        lease_token,
        None if lease_seconds is None else float(lease_seconds),
        now,
        float(default_lease_seconds),
        secret_hash,
    )
    if row is None or row["expires_at"] is None:
        if await conn.fetchval(q("run_exists"), run_id) is None:
            raise RunNotFound(f"Run {run_id} does not exist")
        raise LeaseLost.of(run_id, runner_id, lease_token)
    return row["expires_at"], bool(row["cancel_requested"])


async def release_runs(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    held: Sequence[tuple[uuid.UUID, int]],
) -> int:
    """Give runs back without using an attempt (a runner shutting down cleanly, or
    one that no longer tracks them); `held` is (run id, fencing number) pairs."""
    return len(await release_runs_listed(conn, runner_id, [(i, t, None) for i, t in held]))


async def release_runs_listed(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    held: Sequence[tuple[uuid.UUID, int, bytes | None]],
) -> list[uuid.UUID]:
    """release_runs, answering which runs went back (those still held with their
    token): (run id, fencing number, lease secret hash, or None where the caller
    cannot know it: the service's own runners, a REST claim whose answer was lost)."""
    released: list[uuid.UUID] = []
    ordered = sorted(held, key=lambda h: h[0])
    for start in range(0, len(ordered), RELEASE_CHUNK):
        released += await _release_chunk(conn, runner_id, ordered[start : start + RELEASE_CHUNK])
    if released:
        await conn.execute(q("runs_notify"))
    return released


# Runs given back per statement: a runner holding 100,000 runs once gave them back in one
# UPDATE that deadlocked with a concurrent writer and gave back nothing (bench hold).
RELEASE_CHUNK = 1_000


async def _release_chunk(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    chunk: Sequence[tuple[uuid.UUID, int, bytes | None]],
) -> list[uuid.UUID]:
    """One statement of release_runs_listed, tried again when chosen as a deadlock's
    victim (it changed nothing then)."""
    for attempt in range(3):
        try:
            rows = await conn.fetch(
                q("runs_release"),
                runner_id,
                [i for i, _, _ in chunk],
                [t for _, t, _ in chunk],
                [h for _, _, h in chunk],
            )
            return [r["id"] for r in rows]
        except asyncpg.DeadlockDetectedError:
            if attempt == 2:
                raise
    return []


async def held_untracked(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    tracked: Callable[[], Collection[uuid.UUID]],
    *,
    older_than: float,
) -> list[tuple[uuid.UUID, int]]:
    """Runs the database says `runner_id` holds that it does not track (see
    runner_held_since for why recent claims are left out). `tracked` is read after
    each answer, so a run that finished meanwhile is not taken for a lost one."""
    if await conn.fetchval(q("runner_held_count"), runner_id) <= len(tracked()):
        return []
    rows = await conn.fetch(q("runner_held_since"), runner_id, float(older_than))
    known = tracked()
    return [(r["id"], r["lease_token"]) for r in rows if r["id"] not in known]


async def report_landed(
    conn: asyncpg.Connection | asyncpg.Pool, run_id: uuid.UUID, runner_id: str, token: int
) -> bool:
    """Did this runner's report of the run commit (its answer may have been lost)?"""
    return bool(await conn.fetchval(q("run_outcome"), run_id, runner_id, token))


async def heartbeat_runs(
    conn: asyncpg.Connection | asyncpg.Pool,
    runner_id: str,
    held: Sequence[tuple[uuid.UUID, LeaseProof]],
    lease_seconds: float | None,
    now: datetime.datetime | None = None,
    *,
    default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> tuple[datetime.datetime | None, set[tuple[uuid.UUID, int]], set[uuid.UUID]]:
    """REST batch heartbeat: (new expiry or None, the (run id, fencing number) pairs
    still held, held runs asked to cancel). One statement; the runner's lease is
    extended only when it still holds one of `held` (run id, token proof) pairs."""
    row = await conn.fetchrow(
        q("runs_heartbeat"),
        runner_id,
        [i for i, _ in held],
        [p.fence for _, p in held],
        None if lease_seconds is None else float(lease_seconds),
        now,
        float(default_lease_seconds),
        [p.secret_hash for _, p in held],
    )
    still = set(zip(row["held"], row["tokens"], strict=True))
    return row["expires_at"], still, set(row["cancel_requested"])
