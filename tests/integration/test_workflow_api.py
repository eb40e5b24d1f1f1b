"""Workflow CRUD over the real app and a real PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.asyncio

STEPS = [
    {"key": "a", "module": "noop", "inputs": {"x": "${inputs.x}"}},
    {"key": "b", "module": "noop", "dependsOn": ["a"], "inputs": {"y": "${steps.a.output.x}"}},
]


async def test_workflow_create_get_list_roundtrip(client: httpx.AsyncClient) -> None:
    r = await client.post("/Workflow", json={"name": "demo", "steps": STEPS})
    assert r.status_code == 201, r.text
    wf = r.json()
    assert wf["version"] == 1 and wf["name"] == "demo"
    assert wf["steps"][1]["dependsOn"] == ["a"]
    assert wf["steps"][0]["retry"]["maxAttempts"] == 3  # defaults are filled in
    got = await client.get(f"/Workflow/{wf['id']}")
    assert got.status_code == 200 and got.json() == wf
    listed = await client.get("/Workflow", params={"name": "demo"})
    assert [w["id"] for w in listed.json()["items"]] == [wf["id"]]


async def test_workflow_update_creates_a_new_version_and_keeps_the_old(
    client: httpx.AsyncClient, db
) -> None:
    wf = (await client.post("/Workflow", json={"name": "v", "steps": STEPS})).json()
    r = await client.put(f"/Workflow/{wf['id']}", json={"name": "v", "steps": STEPS[:1]})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and len(r.json()["steps"]) == 1
    versions = await db.fetch(
        "SELECT version, jsonb_array_length(steps) AS n FROM workflow_versions"
        " WHERE workflow_id = $1 ORDER BY version",
        uuid.UUID(wf["id"]),
    )
    assert [(v["version"], v["n"]) for v in versions] == [(1, 2), (2, 1)]


@pytest.mark.parametrize(
    ("steps", "step", "words"),
    [
        ([{"key": "a", "module": "noop"}, {"key": "a", "module": "noop"}], "a", "duplicate"),
        ([{"key": "a", "module": "noop", "dependsOn": ["zz"]}], "a", "zz"),
        (
            [
                {"key": "a", "module": "noop", "dependsOn": ["b"]},
                {"key": "b", "module": "noop", "dependsOn": ["a"]},
            ],
            None,
            "cycle",
        ),
        (
            [
                {
                    "key": "a",
                    "module": "noop",
                    "retry": {"initialBackoffSeconds": 100, "maxBackoffSeconds": 1},
                }
            ],
            "a",
            "backoff",
        ),
    ],
)
async def test_workflow_invalid_dag_is_a_400_naming_the_step(
    client: httpx.AsyncClient, db, steps, step, words
) -> None:
    r = await client.post("/Workflow", json={"name": "bad", "steps": steps})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert words in body["detail"].lower()
    if step:
        assert body["errors"][0]["step"] == step
    assert await db.fetchval("SELECT count(*) FROM workflows") == 0


async def test_workflow_delete_and_404(client: httpx.AsyncClient) -> None:
    wf = (await client.post("/Workflow", json={"name": "d", "steps": STEPS})).json()
    assert (await client.delete(f"/Workflow/{wf['id']}")).status_code == 204
    r = await client.get(f"/Workflow/{wf['id']}")
    assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"


async def test_bad_input_is_a_4xx_problem_and_changes_nothing(
    client: httpx.AsyncClient, db
) -> None:
    cases = [
        client.get("/Workflow/not-a-uuid"),
        client.post(
            "/Workflow",
            content=b'{"name": "\xff", "steps": []}',
            headers={"content-type": "application/json"},
        ),
        client.post("/Workflow", json={"name": "a\x00b", "steps": STEPS}),
        client.post("/Workflow", json={"name": "x", "steps": STEPS, "colour": "red"}),
        client.post("/Workflow", content=b"{", headers={"content-type": "application/json"}),
        client.post(
            "/Workflow", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
        ),
        client.get("/Workflow", params={"limit": 0}),
        client.get("/Workflow", params={"cursor": "garbage!"}),
    ]
    for pending in cases:
        r = await pending
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
    assert await db.fetchval("SELECT count(*) FROM workflows") == 0


async def test_wrong_method_is_405_with_allow_from_the_spec(client: httpx.AsyncClient) -> None:
    r = await client.patch("/Workflow")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    r = await client.post(f"/Workflow/{uuid.uuid4()}")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT", "DELETE"}


async def test_health_needs_no_key_and_reports_the_database(app) -> None:
    from tests.support import client_for

    async with client_for(app, key=None) as anon:
        r = await anon.get("/health")
        assert r.json() == {"status": "ok", "database": "up", "version": "0.1.0"}
        assert (await anon.get("/Workflow")).status_code == 401
