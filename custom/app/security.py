"""The spec's security schemes, enforced: key lookup (401) and role check (403).

connexion calls these for every operation with `security` (all but /health).
A key's role must be in the operation's `x-roles`; `admin` may call anything.
Lookups are cached briefly per app (KeyCache) so a request costs no extra round trip.
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
CACHE_ENTRIES = 10_000


class KeyCache:
    """Key lookups of one app (create_app makes one per app, in its lifespan state), kept
    for CACHE_SECONDS: two apps in one process never see each other's keys or revokes."""

    def __init__(self, seconds: float = CACHE_SECONDS, entries: int = CACHE_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._hits: dict[str, tuple[float, dict[str, Any] | None]] = {}

    def get(self, digest: str, now: float) -> tuple[bool, dict[str, Any] | None]:
        """(found, info): info None for a key known to be unknown or revoked."""
        hit = self._hits.get(digest)
        if hit is None or hit[0] <= now:
            return False, None
        return True, hit[1]

    def put(self, digest: str, now: float, info: dict[str, Any] | None) -> None:
        if len(self._hits) >= self.entries:
            self._hits.clear()
        self._hits[digest] = (now + self.seconds, info)

    def clear(self) -> None:
        self._hits.clear()


class RoleForbidden(OAuthScopeProblem):
    """403: a known key whose role is not in the operation's `x-roles`."""

    def __init__(self, role: str, required: list[str], detail: str) -> None:
        super().__init__(token_scopes=[role], required_scopes=required)
        self.detail = detail


def forget_cached_keys(app: Any) -> None:
    """Drop the lookups `app` cached (the app create_app built, or a wrapper of it that
    keeps it as `.app`), after a key changed outside its requests."""
    while not hasattr(app, "key_cache") and hasattr(app, "app"):
        app = app.app
    app.key_cache.clear()


async def _lookup(request: ConnexionRequest, secret: str) -> dict[str, Any] | None:
    digest = hash_secret(secret)
    now = time.monotonic()
    cache: KeyCache = request.state.key_cache
    found, info = cache.get(digest, now)
    if found:
        return info
    pool = request.state.pool
    row = await pool.fetchrow(q("api_key_by_hash"), digest)
    info = {"sub": row["name"], "role": row["role"], "key_id": str(row["id"])} if row else None
    if row:
        await pool.execute(q("api_key_touch"), row["id"])
    cache.put(digest, now, info)
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
