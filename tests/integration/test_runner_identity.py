"""Runner keys act only as their own runners (issue 11, item 1).

The attempts as they were tried from outside: a key acting for another key's
runners through a `:` in names, an empty suffix, and a key named like the host
claiming as the service's own in-process runner. Each is now a 400 or a 403
that changes nothing.
"""

from __future__ import annotations

import socket
import uuid

import asyncpg
import httpx
import pytest

from custom.auth.keys import create_key
from custom.auth.runner_ids import KEY_NAME_PATTERN
from custom.db.migrate import upgrade
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start
from tests.support import client_for, drop_database, with_database

pytestmark = pytest.mark.asyncio


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def leased(db: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await db.fetch("SELECT id::text, lease_owner FROM runs WHERE status = 'LEASED'")
    return sorted((r["id"], r["lease_owner"]) for r in rows)


@pytest.mark.parametrize(
    "name", ["mailer:eu", "mailer:", ":x", "@host", "-dash", "two words", "é", "a" * 201]
)
async def test_key_names_outside_the_pattern_are_a_400(client: httpx.AsyncClient, db, name) -> None:
    r = await client.post("/ApiKey", json={"name": name, "role": "runner"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM api_keys WHERE name = $1", name) == 0
    with pytest.raises(ValueError, match="key name"):
        await create_key(db, name, "runner")  # `valkyr keys create` goes through here


async def test_the_spec_pattern_is_the_one_the_code_enforces(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for schema in ("ApiKey", "ApiKeyCreated"):
        assert spec["components"]["schemas"][schema]["properties"]["name"]["pattern"] == (
            KEY_NAME_PATTERN
        )


async def test_a_runner_key_acts_only_as_name_or_name_colon_suffix(
    client: httpx.AsyncClient, db
) -> None:
    _, mailer = await create_key(db, "mailer", "runner")
    wf = await insert_workflow(db, [{"key": "send", "module": "mailer.send"}])
    await start(db, wf, {"n": 1})
    claim = {"modules": ["mailer.send"], "limit": 5}
    for other in ("mailer:", "mailerx", "mailer-eu", "mail", "@mailer", "@mailer:1"):
        r = await client.post(
            "/Run/claim", json={**claim, "runnerId": other}, headers=bearer(mailer)
        )
        assert r.status_code == 403, (other, r.text)
        assert r.json()["type"] == "/problems/runner-id-not-bound"
    assert await leased(db) == []

    r = await client.post(
        "/Run/claim", json={**claim, "runnerId": "mailer:eu-1"}, headers=bearer(mailer)
    )
    assert r.status_code == 200, r.text
    assert [owner for _id, owner in await leased(db)] == ["mailer:eu-1"]


async def test_no_key_can_claim_as_the_services_in_process_runner(db_url: str, db) -> None:
    """A runner key named like the host claimed as `<host>:<pid>:<random>` and held the
    in-process runner's lease; now the in-process id starts with `@` and is refused."""
    host = "".join(c if c.isalnum() or c in "._-" else "-" for c in socket.gethostname())
    _, host_key = await create_key(db, host, "runner")
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    await start(db, wf, {"n": 1})
    async with serve_engine(db_url, runners=2) as served:
        own = served.state["engine"].runner_id
        assert own.startswith("@")
        lease_before = await db.fetchval(
            "SELECT count(*) FROM runner_leases WHERE runner_id = $1", own
        )
        async with client_for(served) as admin:
            for headers in (bearer(host_key), {}):  # the host-named key, then the admin key
                for runner_id in (own, own + ":1"):
                    r = await admin.post(
                        "/Run/claim",
                        json={"runnerId": runner_id, "modules": ["ext.x"]},
                        headers=headers,
                    )
                    assert r.status_code == 403, (runner_id, r.text)
                    assert "service's own runners" in r.json()["detail"]
        assert await leased(db) == []
        assert (
            await db.fetchval("SELECT count(*) FROM runner_leases WHERE runner_id = $1", own)
            == lease_before
        )


async def test_migration_renames_key_names_that_no_longer_fit(pg_server: str) -> None:
    """Keys stored before the rule: renamed (not revoked), collisions numbered, secrets kept."""
    name = "m_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(pg_server)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = with_database(pg_server, name)
    try:
        import asyncio

        await asyncio.to_thread(upgrade, url, "5832adbd8b86")  # the revision before the rule
        conn = await asyncpg.connect(url)
        try:
            legacy = ["mailer", "mailer:eu", "mailer-eu", ":x", "ci deploy", "ok.name_1"]
            for i, key in enumerate(legacy):
                await conn.execute(
                    "INSERT INTO api_keys (name, role, prefix, key_hash, created_at)"
                    " VALUES ($1, 'runner', 'vk_', $2, now() + make_interval(secs => $3))",
                    key,
                    f"hash-{i}",
                    float(i),
                )
            await asyncio.to_thread(upgrade, url, "head")
            rows = await conn.fetch("SELECT name, key_hash FROM api_keys ORDER BY created_at")
        finally:
            await conn.close()
        assert [(r["name"], r["key_hash"]) for r in rows] == [
            ("mailer", "hash-0"),
            ("mailer-eu-2", "hash-1"),  # `mailer-eu` was taken
            ("mailer-eu", "hash-2"),
            ("k-x", "hash-3"),
            ("ci-deploy", "hash-4"),
            ("ok.name_1", "hash-5"),
        ]
    finally:
        await drop_database(pg_server, url)
