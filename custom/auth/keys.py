"""API key secrets: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

import asyncpg

from custom.auth.runner_ids import KEY_NAME_MAX, valid_key_name
from custom.sql import q
from generated.constants import Role

SECRET_PREFIX = "vk_"
ROLES = tuple(Role)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # the secret has 256 bits of entropy, so a fast hash is enough (no dictionary to guess)
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:10]


async def create_key(
    conn: asyncpg.Connection | asyncpg.Pool, name: str, role: str, secret: str | None = None
) -> tuple[dict[str, Any], str]:
    """Store a new key; returns its record and the secret (the only time it is known)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if not valid_key_name(name):
        raise ValueError(
            f"key name {name!r}: letters, digits, '.', '_' and '-' only, starting with a "
            f"letter or digit, at most {KEY_NAME_MAX} characters"
        )
    secret = secret or new_secret()
    row = await conn.fetchrow(
        q("api_key_insert"), name, role, display_prefix(secret), hash_secret(secret)
    )
    assert row is not None
    return dict(row), secret


async def ensure_key(
    conn: asyncpg.Connection | asyncpg.Pool, name: str, role: str, secret: str
) -> dict[str, Any]:
    """Make sure a key with this exact secret exists and works (VALKYR_BOOTSTRAP_KEY)."""
    args = (name, role, display_prefix(secret), hash_secret(secret))
    try:
        row = await conn.fetchrow(q("api_key_ensure"), *args)
    except asyncpg.UniqueViolationError:
        # the name is taken by another secret (VALKYR_BOOTSTRAP_KEY changed, or the dev
        # key file was deleted): that key now gets the new secret, the old one stops working
        row = await conn.fetchrow(q("api_key_replace_secret"), *args)
    assert row is not None
    return dict(row)


async def revoke_key(
    conn: asyncpg.Connection | asyncpg.Pool, key_id: uuid.UUID
) -> dict[str, Any] | None:
    """Revoke a key (idempotent: a second revoke keeps the first time); None if unknown.

    Callers in a server process should then drop the app's cached lookups
    (`security.forget_cached_keys(app)`, or `request.state.key_cache.clear()`).
    """
    row = await conn.fetchrow(q("api_key_revoke"), key_id)
    return dict(row) if row else None


async def list_keys(conn: asyncpg.Connection | asyncpg.Pool) -> list[dict[str, Any]]:
    """Every key, newest first, without hashes (for the CLI)."""
    return [dict(r) for r in await conn.fetch(q("api_key_list"))]
