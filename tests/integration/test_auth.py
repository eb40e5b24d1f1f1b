"""Access control and request limits over the real app and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from custom.app.security import forget_cached_keys
from custom.auth.keys import ROLES, create_key
from generated.operations import OPERATIONS, OperationInfo
from tests.conftest import make_settings
from tests.support import ADMIN_KEY, client_for, lifespan

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
STEPS = [{"key": "a", "module": "noop"}]
WORKER_PROTOCOL = {
    "claimRuns",
    "heartbeatRun",
    "heartbeatRuns",
    "completeRun",
    "failRun",
    "releaseRuns",
}
# every key may ask who it is (clients show or hide actions by it)
SELF = {"getCurrentApiKey"}


async def new_key(db: asyncpg.Pool, role: str) -> str:
    _, secret = await create_key(db, f"{role}-{uuid.uuid4().hex[:8]}", role)
    return secret


def concrete(op: OperationInfo) -> str:
    return op.path.replace("{id}", str(uuid.uuid4())).replace("{version}", "1")


async def call(c: httpx.AsyncClient, op: OperationInfo) -> httpx.Response:
    body = {} if op.method in ("POST", "PUT", "PATCH") else None
    return await c.request(op.method, concrete(op), json=body)


def role_refusal(r: httpx.Response) -> bool:
    """A 403 from the role check (not some handler's own 403, e.g. a lease owned by another)."""
    return r.status_code == 403 and "may not call" in r.json().get("detail", "")


def may_call(role: str, op: OperationInfo) -> bool:
    return role == "admin" or role in op.roles


# --- 401 / no key -------------------------------------------------------------------------


async def test_health_needs_no_key(app: Any) -> None:
    async with client_for(app, None) as anonymous:
        r = await anonymous.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
async def test_missing_unknown_or_revoked_key_is_401(
    app: Any, db: asyncpg.Pool, header: str
) -> None:
    revoked = await new_key(db, "admin")
    await db.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1",
        hashlib.sha256(revoked.encode()).hexdigest(),
    )
    forget_cached_keys(app)

    def headers(secret: str) -> dict[str, str]:
        return {header: f"Bearer {secret}" if header == "Authorization" else secret}

    async with client_for(app, None) as c:
        for op_id in ("listWorkflows", "getMetrics", "listApiKeys", "claimRuns"):
            op = OPERATIONS[op_id]
            method, path = op.method, concrete(op)
            body = {} if method == "POST" else None
            r = await c.request(method, path, json=body)
            assert r.status_code == 401, (op_id, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            for secret in ("vk_not_a_key_at_all", revoked):
                r = await c.request(method, path, json=body, headers=headers(secret))
                assert r.status_code == 401, (op_id, secret, r.text)
                assert "unknown or revoked" in r.json()["detail"]


async def test_every_key_header_form_works(app: Any) -> None:
    async with client_for(app, None) as c:
        bearer = await c.get("/Workflow", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        api_key = await c.get("/Workflow", headers={"X-API-Key": ADMIN_KEY})
    assert bearer.status_code == api_key.status_code == 200


# --- 403: roles against x-roles -------------------------------------------------------------

CLASSES = [
    # (class, operationId, a role that may not, a role that may)
    ("read", "listWorkflows", "runner", "viewer"),
    ("read", "getMetrics", "runner", "viewer"),
    ("workflow admin", "createWorkflow", "operator", "admin"),
    ("execution control", "cancelWorkflowExecution", "viewer", "operator"),
    ("execution submit", "createWorkflowExecution", "viewer", "operator"),
    ("dead-letter resolution", "requeueDeadLetter", "viewer", "operator"),
    ("dead-letter resolution", "bulkDiscardDeadLetters", "runner", "operator"),
    ("worker protocol", "claimRuns", "operator", "runner"),
    ("worker protocol", "heartbeatRun", "viewer", "runner"),
    ("breakers", "resetCircuitBreaker", "operator", "admin"),
    ("key management", "createApiKey", "operator", "admin"),
    ("key management", "listApiKeys", "viewer", "admin"),
]


@pytest.mark.parametrize(("kind", "op_id", "denied", "allowed"), CLASSES)
async def test_one_operation_of_every_class(
    app: Any, db: asyncpg.Pool, kind: str, op_id: str, denied: str, allowed: str
) -> None:
    op = OPERATIONS[op_id]
    assert denied not in op.roles and allowed in op.roles + ("admin",), kind
    async with client_for(app, await new_key(db, denied)) as c:
        r = await call(c, op)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert role_refusal(r) and denied in r.json()["detail"]
    async with client_for(app, await new_key(db, allowed)) as c:
        r = await call(c, op)
    assert r.status_code not in (401,) and not role_refusal(r), r.text


async def test_every_role_against_every_operation(app: Any, db: asyncpg.Pool) -> None:
    """The whole matrix: 403 exactly when the role is not in x-roles (admin may do all)."""
    wrong: list[tuple[str, str, int]] = []
    for role in ROLES:
        async with client_for(app, await new_key(db, role)) as c:
            for op in OPERATIONS.values():
                if not op.roles:  # /health: no security at all
                    continue
                r = await call(c, op)
                refused = role_refusal(r)
                if r.status_code == 401 or refused == may_call(role, op):
                    wrong.append((role, op.operation_id, r.status_code))
    assert not wrong, wrong


async def test_a_runner_key_may_only_use_the_worker_protocol(app: Any, db: asyncpg.Pool) -> None:
    allowed = {op.operation_id for op in OPERATIONS.values() if "runner" in op.roles}
    assert allowed == WORKER_PROTOCOL | SELF
    async with client_for(app, await new_key(db, "runner")) as c:
        for op in OPERATIONS.values():
            if not op.roles:
                continue
            r = await call(c, op)
            assert role_refusal(r) == (op.operation_id not in WORKER_PROTOCOL | SELF), (
                op.operation_id,
                r.status_code,
                r.text,
            )


# --- key management -------------------------------------------------------------------------


async def assert_secret_stored_nowhere(db: asyncpg.Pool, secret: str) -> None:
    tables = await db.fetch(
        "SELECT quote_ident(table_name) AS t FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    for row in tables:
        hits = await db.fetchval(
            f"SELECT count(*) FROM {row['t']} x WHERE strpos(x::text, $1) > 0", secret
        )
        assert hits == 0, f"the secret is stored in {row['t']}"


async def test_create_key_shows_the_secret_once_and_stores_only_its_hash(
    client: httpx.AsyncClient, app: Any, db: asyncpg.Pool
) -> None:
    r = await client.post("/ApiKey", json={"name": "ci-viewer", "role": "viewer"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    created = r.json()
    secret = created.pop("secret")
    assert set(created) == {"id", "name", "role", "prefix", "createdAt", "revokedAt", "lastUsedAt"}
    assert created["role"] == "viewer" and created["revokedAt"] is None
    assert secret.startswith("vk_") and len(secret) > 40
    assert created["prefix"] == secret[:10]

    stored = await db.fetchrow("SELECT * FROM api_keys WHERE id = $1", uuid.UUID(created["id"]))
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert stored["prefix"] == secret[:10]
    assert secret not in [str(v) for v in stored.values()]
    await assert_secret_stored_nowhere(db, secret)

    # the new key works with its role, and is never shown again
    async with client_for(app, secret) as viewer:
        assert (await viewer.get("/Workflow")).status_code == 200
        assert role_refusal(await viewer.post("/Workflow", json={"name": "x", "steps": STEPS}))
        assert role_refusal(await viewer.get("/ApiKey"))
    got = await client.get(f"/ApiKey/{created['id']}")
    listed = await client.get("/ApiKey", params={"role": "viewer"})
    assert got.status_code == listed.status_code == 200
    assert got.json()["id"] == created["id"] and got.json()["prefix"] == created["prefix"]
    assert [k["id"] for k in listed.json()["items"]] == [created["id"]]
    for text in (got.text, listed.text):
        assert secret not in text
        assert stored["key_hash"] not in text
        assert "hash" not in text.lower() and "secret" not in text.lower()


async def test_duplicate_key_name_is_409(client: httpx.AsyncClient) -> None:
    assert (await client.post("/ApiKey", json={"name": "dup", "role": "runner"})).status_code == 201
    r = await client.post("/ApiKey", json={"name": "dup", "role": "viewer"})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "dup" in r.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "root"},
        {"name": "", "role": "viewer"},
        {"role": "viewer"},
        {"name": "x", "role": "viewer", "keyHash": "0" * 64},
        {"name": "x", "role": "viewer", "secret": "vk_chosen_by_the_caller"},
    ],
)
async def test_create_key_rejects_bad_bodies(client: httpx.AsyncClient, body: dict) -> None:
    r = await client.post("/ApiKey", json=body)
    assert r.status_code == 400, r.text


async def test_revoke_stops_a_key_at_once(
    client: httpx.AsyncClient, app: Any, db: asyncpg.Pool
) -> None:
    created = (await client.post("/ApiKey", json={"name": "op", "role": "operator"})).json()
    async with client_for(app, created["secret"]) as operator:
        assert (await operator.get("/Workflow")).status_code == 200  # now cached as valid
        r = await client.delete(f"/ApiKey/{created['id']}")
        assert r.status_code == 200, r.text
        revoked = r.json()
        assert revoked["id"] == created["id"] and revoked["revokedAt"] is not None
        assert "secret" not in revoked
        assert (await operator.get("/Workflow")).status_code == 401
    again = await client.delete(f"/ApiKey/{created['id']}")
    assert again.status_code == 200 and again.json()["revokedAt"] == revoked["revokedAt"]
    assert (await client.get(f"/ApiKey/{created['id']}")).json()["revokedAt"] is not None
    assert (await client.delete(f"/ApiKey/{uuid.uuid4()}")).status_code == 404
    assert (await client.delete("/ApiKey/not-a-uuid")).status_code == 400
    assert await db.fetchval("SELECT count(*) FROM api_keys WHERE name = 'op'") == 1  # kept


async def test_a_rotated_bootstrap_key_replaces_the_old_one(app: Any, db_url: str) -> None:
    """Changing VALKYR_BOOTSTRAP_KEY must not stop the service from starting."""
    rotated = "vk_rotated_bootstrap_key_000000000000000000000"
    from custom.app import create_app

    second = create_app(make_settings(db_url, bootstrap_key=rotated))
    async with lifespan(second) as served:
        forget_cached_keys(served)
        async with client_for(served, rotated) as new, client_for(served) as old:
            assert (await new.get("/ApiKey")).status_code == 200
            assert (await old.get("/ApiKey")).status_code == 401


async def test_keys_cli_create_list_revoke(db_url: str, db: asyncpg.Pool) -> None:
    env = {**os.environ, "DATABASE_URL": db_url, "VALKYR_LOG_FORMAT": "text"}

    async def valkyr(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "custom.cli",
            "keys",
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = await valkyr("create", "--name", "ci", "--role", "runner")
    assert code == 0, err
    secret = next(w for w in out.split() if w.startswith("vk_"))
    row = await db.fetchrow("SELECT id, role, key_hash FROM api_keys WHERE name = 'ci'")
    assert row["role"] == "runner"
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()

    code, out, err = await valkyr("list")
    assert code == 0, err
    assert "ci" in out and str(row["id"]) in out and secret[:10] in out
    assert secret not in out and row["key_hash"] not in out

    code, _, err = await valkyr("create", "--name", "ci", "--role", "viewer")
    assert code == 1 and "already exists" in err

    code, out, err = await valkyr("revoke", str(row["id"]))
    assert code == 0, err
    assert await db.fetchval("SELECT revoked_at IS NOT NULL FROM api_keys WHERE name = 'ci'")
    code, _, err = await valkyr("revoke", str(uuid.uuid4()))
    assert code == 1 and "no key" in err


# --- limits ---------------------------------------------------------------------------------


async def test_body_size_limit_is_413_before_anything_else(app: Any) -> None:
    big = {"name": "big", "steps": STEPS, "description": "x" * 1_100_000}
    async with client_for(app) as admin, client_for(app, None) as anonymous:
        for c in (admin, anonymous):
            r = await c.post("/Workflow", json=big)
            assert r.status_code == 413, r.text
            assert r.headers["content-type"].startswith("application/problem+json")


async def test_app_honours_a_smaller_body_limit(db_url: str) -> None:
    from custom.app import create_app

    small = create_app(make_settings(db_url, max_body_bytes=2048))
    async with lifespan(small) as served, client_for(served) as c:
        ok = await c.post("/ApiKey", json={"name": "n" * 100, "role": "viewer"})
        big = await c.post("/ApiKey", json={"name": "n" * 3000, "role": "viewer"})
    assert ok.status_code == 201 and big.status_code == 413


async def test_list_limit_is_at_most_500(client: httpx.AsyncClient) -> None:
    for path in ("/Workflow", "/ApiKey", "/Run"):
        assert (await client.get(path, params={"limit": 500})).status_code == 200
        r = await client.get(path, params={"limit": 501})
        assert r.status_code == 400, r.text
        assert (await client.get(path, params={"limit": 0})).status_code == 400
