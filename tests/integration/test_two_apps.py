"""Two apps in one process share no hidden state: each keeps its own API-key cache,
and format checks live in a checker of our own, not in jsonschema's global one."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from jsonschema import Draft4Validator

from custom.app import create_app
from custom.app.formats import FORMAT_CHECKER
from custom.app.security import forget_cached_keys
from custom.auth.keys import create_key, revoke_key
from tests.conftest import make_settings
from tests.support import client_for, lifespan

pytestmark = pytest.mark.asyncio


def cached(served: Any) -> int:
    return len(served.app.key_cache._hits)


async def test_each_app_keeps_its_own_key_cache(db_url: str, db: asyncpg.Pool) -> None:
    record, secret = await create_key(db, f"iso-{uuid.uuid4().hex[:8]}", "viewer")
    first, second = create_app(make_settings(db_url)), create_app(make_settings(db_url))
    assert first.key_cache is not second.key_cache
    async with lifespan(first) as a, lifespan(second) as b:
        async with client_for(a, secret) as on_a:
            assert (await on_a.get("/Workflow")).status_code == 200
        assert cached(a) == 1 and cached(b) == 0  # the lookup A made is A's alone

        # revoked behind both apps' backs: A forgets its cache, and B, which never
        # looked the key up, cannot answer from A's
        await revoke_key(db, record["id"])
        forget_cached_keys(a)
        async with client_for(a, secret) as on_a, client_for(b, secret) as on_b:
            assert (await on_a.get("/Workflow")).status_code == 401
            assert (await on_b.get("/Workflow")).status_code == 401


async def test_a_revoke_through_one_app_clears_that_apps_cache(
    db_url: str, db: asyncpg.Pool
) -> None:
    record, secret = await create_key(db, f"iso-{uuid.uuid4().hex[:8]}", "viewer")
    first, second = create_app(make_settings(db_url)), create_app(make_settings(db_url))
    async with lifespan(first) as a, lifespan(second) as b:
        async with client_for(a, secret) as on_a, client_for(b, secret) as on_b:
            assert (await on_a.get("/Workflow")).status_code == 200
            assert (await on_b.get("/Workflow")).status_code == 200
            async with client_for(a) as admin_a:  # the admin key
                revoked = await admin_a.delete(f"/ApiKey/{record['id']}")
            assert revoked.status_code == 200
            assert (await on_a.get("/Workflow")).status_code == 401  # at once, in A
            assert cached(b) == 1  # B's own entry, untouched by A (it expires in seconds)


async def test_format_checks_are_ours_and_jsonschema_keeps_its_own(db_url: str) -> None:
    pristine = dict(Draft4Validator.FORMAT_CHECKER.checkers)
    apps = [create_app(make_settings(db_url)) for _ in range(2)]
    assert Draft4Validator.FORMAT_CHECKER.checkers == pristine
    assert "uuid" not in pristine and "int64" not in pristine
    assert {"uuid", "int64", "date-time"} <= set(FORMAT_CHECKER.checkers)
    for app in apps:
        async with lifespan(app) as served, client_for(served) as c:
            r = await c.post("/WorkflowExecution", json={"workflowId": "not-a-uuid"})
            assert r.status_code == 400, r.text
            assert r.json()["errors"][0]["path"] == "workflowId"
            assert "is not a valid uuid" in r.json()["detail"]
