"""API keys: create (the secret is shown once) and revoke.

List and get stay generated: their serializer has no `key_hash` (a storage-only
column), so neither ever shows a hash or a secret.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from connexion import request

from custom.api import serializers
from custom.auth.keys import create_key, revoke_key
from generated import models
from generated.constants import Role
from generated.operations import OPERATIONS
from generated.runtime import not_found, ok, parse_uuid, problem
from generated.serializers import build


async def create_api_key(body: dict[str, Any]) -> Any:
    try:
        record, secret = await create_key(request.state.pool, body["name"], body["role"])
    except asyncpg.UniqueViolationError:
        raise problem(
            409, "Conflict", f"An API key named {body['name']!r} already exists", "conflict"
        ) from None
    return ok(serializers.api_key_created(record, secret), 201)


async def revoke_api_key(id_: str) -> Any:
    record = await revoke_key(request.state.pool, parse_uuid(id_))
    if record is None:
        raise not_found("ApiKey", id_)
    request.state.key_cache.clear()  # this app's; other processes' expire in seconds
    return ok(serializers.api_key(record))


def allowed_operations(role: str) -> list[str]:
    """The operationIds a role may call: those whose `x-roles` name it (admin: all)."""
    return sorted(
        op_id
        for op_id, op in OPERATIONS.items()
        if role == Role.ADMIN or role in op.roles or not op.roles
    )


async def get_current_api_key() -> Any:
    """Who is calling: clients (the console) show or disable actions by it."""
    info = request.context.get("token_info") or {}
    role = str(info.get("role"))
    current = {
        "id": parse_uuid(info["key_id"]),
        "name": info.get("sub"),
        "role": role,
        "allowedOperations": allowed_operations(role),
    }
    return ok(build(models.CurrentApiKey, current))
