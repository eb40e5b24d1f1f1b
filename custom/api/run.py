"""The REST worker protocol for runners outside the service.

Same leases and fencing as the in-process runner, plus a secret: the lease token
a claim hands out is the fencing number bound to 128 random bits (stored only as
a hash), so a token cannot be guessed from its neighbours. A stale, guessed or
foreign token, a foreign runnerId or an expired lease is a 409 that changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from connexion import request

from custom.api import serializers
from custom.auth.runner_ids import IN_PROCESS_PREFIX, is_in_process, key_may_act_as
from custom.leases import claim, finish  # modules: the handlers bear their functions' names
from custom.leases.claim import LeaseLost, RunNotFound
from custom.leases.tokens import format_token, new_secret, parse_token, secret_hash
from custom.sql import q
from generated import models
from generated.constants import Role
from generated.repositories.run import RunRepository
from generated.runtime import listing, not_found, ok, parse_uuid, problem
from generated.serializers import build


def _runner_id(body: dict[str, Any]) -> str:
    """The body's runnerId, bound to the caller's key when it has the runner role
    : its own name, or `<name>:<suffix>` for one of several processes.
     Nobody acts over REST as one of the service's own runners (`@…`)."""
    runner_id = str(body["runnerId"])
    if is_in_process(runner_id):
        raise problem(
            403,
            "Forbidden",
            f"runnerId {runner_id!r}: ids starting with {IN_PROCESS_PREFIX!r} belong to the "
            "service's own runners",
            "runner-id-not-bound",
        )
    info = request.context.get("token_info") or {}
    if info.get("role") != Role.RUNNER:
        return runner_id  # operators' tools and admins may act for any runner
    name = str(info.get("sub"))
    if not key_may_act_as(name, runner_id):
        raise problem(
            403,
            "Forbidden",
            f"The runner key {name!r} may act only as runnerId {name!r} or "
            f"'{name}:<suffix>' (a non-empty suffix), not {runner_id!r}",
            "runner-id-not-bound",
        )
    return runner_id


def _lease_seconds(body: dict[str, Any]) -> float:
    return float(body.get("leaseSeconds") or request.state.settings.lease_seconds)


async def _wait_for_work(
    woken: asyncio.Event, gone: asyncio.Future[None], modules: list[str], left: float
) -> None:
    """Until the engine says runs became ready (a submit of this process, a NOTIFY the
    process's Listener heard), a delayed run of these modules is due, the client went
    away, or `left` ends. While the Listener is reconnecting, NOTIFYs are not heard:
    poll meanwhile."""
    engine = request.state.engine
    timeout = left
    if not engine.listener.connected:
        timeout = min(timeout, engine.poll_seconds)
    due_in = await request.state.pool.fetchval(q("runs_next_available_in"), modules)
    if due_in is not None:
        timeout = min(timeout, max(due_in, 0.0) + 0.002)
    wake = asyncio.ensure_future(woken.wait())
    try:
        await asyncio.wait([wake, gone], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        wake.cancel()


async def _client_gone() -> None:
    """Returns when the client of this request disconnects (its body was read already)."""
    receive = request._starlette_request.receive  # connexion's wrapper has no receive
    with contextlib.suppress(Exception):  # a server that cannot tell: treat as gone
        while (await receive())["type"] != "http.disconnect":
            pass


async def _guarded(call: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    try:
        async with request.state.pool.acquire() as conn:
            return await call(conn)
    except RunNotFound as exc:
        raise problem(404, "Not Found", str(exc), "not-found") from None
    except LeaseLost as exc:
        raise problem(409, "Lease not held", str(exc), "lease-lost") from None


async def get_run(id_: str) -> Any:
    row = await request.state.pool.fetchrow(q("run_get"), parse_uuid(id_))
    if row is None:
        raise not_found("Run", id_)
    return ok(serializers.run(row))


async def list_runs(
    limit: int = 50,
    cursor: str | None = None,
    status: str | None = None,
    execution_id: str | None = None,
    step_key: str | None = None,
    module: str | None = None,
) -> Any:
    """The generated list, with the lease of the runner holding each LEASED run (as
    GET shows it): one more statement when the page holds leased runs."""
    pool = request.state.pool
    filters = {
        "status": status,
        "execution_id": execution_id,
        "step_key": step_key,
        "module": module,
    }
    page = await RunRepository(pool).list(limit=limit, cursor=cursor, filters=filters)
    owners = {r["lease_owner"] for r in page.items if r["status"] == "LEASED"}
    leases = {}
    if owners:
        found = await pool.fetch(q("runner_leases_of"), sorted(owners))
        leases = {lease["runner_id"]: lease for lease in found}
    items = []
    for row in page.items:
        lease = leases.get(row["lease_owner"])
        if lease is not None:
            row = dict(row)
            row["lease_expires_at"] = lease["expires_at"]
            row["lease_heartbeat_at"] = lease["heartbeat_at"]
        items.append(serializers.run(row))
    return ok(listing(items, page.next_cursor))


async def claim_runs(body: dict[str, Any]) -> Any:
    """Lease ready runs; with waitSeconds, wait that long for work to appear, woken by
    the engine's wake-ups rather than by querying in a loop. Each run comes with its
    lease token: the fencing number bound to a fresh random secret."""
    pool = request.state.pool
    runner_id, modules = _runner_id(body), list(body["modules"])
    limit, lease = int(body.get("limit") or 1), _lease_seconds(body)
    wait = float(body.get("waitSeconds") or 0)
    deadline = time.monotonic() + wait
    woken = asyncio.Event()
    # a long-poll whose client died (a killed worker) must not lease runs nobody runs
    gone: asyncio.Future[None] = (
        asyncio.ensure_future(_client_gone())
        if wait
        else asyncio.get_running_loop().create_future()
    )
    wakeups = request.state.engine.context.wakeups
    wakeups.register(woken.set)
    try:
        while True:
            woken.clear()  # before claiming: a wake-up from now on is not missed
            secrets = [new_secret() for _ in range(limit)]
            rows = await claim.claim_runs(
                pool,
                runner_id,
                modules,
                limit,
                lease,
                secret_hashes=[secret_hash(s) for s in secrets],
            )
            if rows and gone.done():
                await claim.release_runs(
                    pool, runner_id, [(r["id"], r["lease_token"]) for r in rows]
                )
                rows = []
            left = deadline - time.monotonic()
            if rows or left <= 0 or gone.done():
                claimed = [_claimed(r, secrets) for r in rows]
                return ok(build(models.RunClaimResponse, {"items": claimed}))
            await _wait_for_work(woken, gone, modules, left)
    finally:
        wakeups.unregister(woken.set)
        gone.cancel()


def _claimed(row: Any, secrets: list[str]) -> models.Run:
    token = format_token(row["lease_token"], secrets[row["lease_slot"] - 1])
    return serializers.run(row, lease_token=token)


async def heartbeat_run(id_: str, body: dict[str, Any]) -> Any:
    proof = parse_token(body["leaseToken"])
    expires, cancel = await _guarded(
        lambda c: claim.heartbeat_run(
            c,
            parse_uuid(id_),
            _runner_id(body),
            proof.fence,
            body.get("leaseSeconds"),
            default_lease_seconds=request.state.settings.lease_seconds,
            secret_hash=proof.secret_hash,
        )
    )
    answer = {"leaseExpiresAt": expires, "cancelRequested": cancel}
    return ok(build(models.RunHeartbeatResponse, answer))


async def heartbeat_runs(body: dict[str, Any]) -> Any:
    """One heartbeat for every run a runner holds: each run answers lost or not, and
    whether it was asked to cancel."""
    runner_id = _runner_id(body)
    asked = [(parse_uuid(r["id"]), parse_token(r["leaseToken"])) for r in body["runs"]]
    expires, held, cancel = await claim.heartbeat_runs(
        request.state.pool,
        runner_id,
        asked,
        body.get("leaseSeconds"),
        default_lease_seconds=request.state.settings.lease_seconds,
    )
    runs = [
        {
            "id": i,
            "lost": (i, proof.fence) not in held,
            "cancelRequested": (i, proof.fence) in held and i in cancel,
        }
        for i, proof in asked
    ]
    answer = {"leaseExpiresAt": expires, "runs": runs}
    return ok(build(models.RunBatchHeartbeatResponse, answer))


async def release_runs(body: dict[str, Any]) -> Any:
    """Give held runs back (PENDING, same attempt): a runner draining on shutdown; with
    allHeld, also whatever else is leased to it (a long-poll it abandoned)."""
    runner_id, pool = _runner_id(body), request.state.pool
    asked: list[tuple[Any, int, bytes | None]] = []
    for r in body.get("runs") or []:
        proof = parse_token(r["leaseToken"])
        asked.append((parse_uuid(r["id"]), proof.fence, proof.secret_hash))
    if body.get("allHeld"):
        # runs whose claim answer never reached the runner: it cannot know their
        # secrets, and its runnerId (bound to its key) is the proof they are its own
        named = {i for i, _, _ in asked}
        held = await pool.fetch(q("runner_held_since"), runner_id, 0.0)
        asked += [(r["id"], r["lease_token"], None) for r in held if r["id"] not in named]
    released = await claim.release_runs_listed(pool, runner_id, asked)
    return ok(build(models.RunReleaseResponse, {"released": list(released)}))


async def complete_run(id_: str, body: dict[str, Any]) -> Any:
    proof = parse_token(body["leaseToken"])
    run = await _guarded(
        lambda c: finish.complete_run(
            c,
            parse_uuid(id_),
            _runner_id(body),
            proof.fence,
            body.get("output"),
            secret_hash=proof.secret_hash,
            ctx=request.state.engine.context,
        )
    )
    return ok(serializers.run(run))


async def fail_run(id_: str, body: dict[str, Any]) -> Any:
    proof = parse_token(body["leaseToken"])
    run = await _guarded(
        lambda c: finish.fail_run(
            c,
            parse_uuid(id_),
            _runner_id(body),
            proof.fence,
            body["error"],
            retryable=bool(body.get("retryable", True)),
            secret_hash=proof.secret_hash,
            ctx=request.state.engine.context,
        )
    )
    return ok(serializers.run(run))
