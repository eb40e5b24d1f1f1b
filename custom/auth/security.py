"""The spec's security schemes, enforced: key lookup (401) and role check (403).

connexion calls these for every operation with `security` (all but /health).
A key's role must be in the operation's `x-roles`; `admin` may call anything.
Lookups are cached briefly per process so a request costs no extra round trip.
"""

from __future__ import annotations

import time
from typing import Any

from connexion.exceptions import OAuthProblem, OAuthScopeProblem
from connexion.lifecycle import ConnexionRequest

from custom.auth.keys import hash_secret
from custom.sql import q
from generated.constants import Role
from generated.operations import OPERATIONS

CACHE_SECONDS = 2.0
# keyed by (pool, digest): two apps in one process (tests) never see each other's keys
_cache: dict[tuple[int, str], tuple[float, dict[str, Any] | None]] = {}


class RoleForbidden(OAuthScopeProblem):
    """403: a known key whose role is not in the operation's `x-roles`."""

    def __init__(self, role: str, required: list[str], detail: str) -> None:
        super().__init__(token_scopes=[role], required_scopes=required)
        self.detail = detail


def forget_cached_keys() -> None:
    """Drop cached lookups (after a revoke in this process)."""
    _cache.clear()


async def _lookup(request: ConnexionRequest, secret: str) -> dict[str, Any] | None:
    digest = hash_secret(secret)
    now = time.monotonic()
    pool = request.state.pool
    slot = (id(pool), digest)
    hit = _cache.get(slot)
    if hit and hit[0] > now:
        return hit[1]
    row = await pool.fetchrow(q("api_key_by_hash"), digest)
    info = {"sub": row["name"], "role": row["role"], "key_id": str(row["id"])} if row else None
    if row:
        await pool.execute(q("api_key_touch"), row["id"])
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[slot] = (now + CACHE_SECONDS, info)
    return info


def _operation_id(request: ConnexionRequest) -> str | None:
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    return routing.get("operation_id")


async def _authorize(secret: str, request: ConnexionRequest) -> dict[str, Any]:
    info = await _lookup(request, secret)
    if info is None:
        raise OAuthProblem(detail="The API key is unknown or revoked")
    op = OPERATIONS.get(_operation_id(request) or "")
    if info["role"] != Role.ADMIN and (op is None or info["role"] not in op.roles):
        # fail closed: an operation we cannot identify is for admins only
        roles = op.roles if op is not None else ()
        name = op.operation_id if op is not None else "this operation"
        raise RoleForbidden(
            info["role"],
            list(roles) or [Role.ADMIN.value],
            f"Role {info['role']!r} may not call {name}; "
            f"it needs one of: {', '.join(roles) or Role.ADMIN}",
        )
    return info


async def bearer_info(token: str, request: ConnexionRequest) -> dict[str, Any]:
    return await _authorize(token, request)


async def apikey_info(key: str, request: ConnexionRequest) -> dict[str, Any]:
    return await _authorize(key, request)


def caller(request: Any) -> str:
    """The name of the key that made this request (for resolvedBy / audit)."""
    info = request.context.get("token_info") or {}
    return str(info.get("sub", "anonymous"))
