"""The REST worker protocol for runners in other languages."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.engine_support import insert_workflow, start

pytestmark = pytest.mark.asyncio


async def test_external_runner_claims_heartbeats_and_completes(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "send", "module": "mailer.send", "inputs": {"to": "${inputs.to}"}},
            {
                "key": "after",
                "module": "mailer.send",
                "dependsOn": ["send"],
                "inputs": {"id": "${steps.send.output.messageId}"},
            },
        ],
    )
    execution_id = await start(db, wf, {"to": "a@example.org"})
    r = await client.post(
        "/Run/claim",
        json={"runnerId": "go-1", "modules": ["mailer.send"], "limit": 10, "leaseSeconds": 30},
    )
    assert r.status_code == 200, r.text
    (run,) = r.json()["items"]
    assert run["inputs"] == {"to": "a@example.org"} and run["leaseOwner"] == "go-1"
    assert run["idempotencyKey"].count(":") == 1 and run["leaseExpiresAt"]
    hb = await client.post(
        f"/Run/{run['id']}/heartbeat", json={"runnerId": "go-1", "leaseToken": run["leaseToken"]}
    )
    assert hb.status_code == 200 and hb.json()["cancelRequested"] is False
    done = await client.post(
        f"/Run/{run['id']}/complete",
        json={"runnerId": "go-1", "leaseToken": run["leaseToken"], "output": {"messageId": "m-1"}},
    )
    assert done.status_code == 200 and done.json()["status"] == "SUCCEEDED"
    r = await client.post("/Run/claim", json={"runnerId": "go-1", "modules": ["mailer.send"]})
    (second,) = r.json()["items"]
    assert second["stepKey"] == "after" and second["inputs"] == {"id": "m-1"}
    got = await client.get(f"/Run/{second['id']}")
    assert got.json()["status"] == "LEASED" and got.json()["leaseExpiresAt"]
    assert str(execution_id) == second["executionId"]


async def test_stale_token_foreign_runner_and_unknown_run(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    await start(db, wf)
    (run,) = (await client.post("/Run/claim", json={"runnerId": "a", "modules": ["ext.x"]})).json()[
        "items"
    ]
    fence, secret = run["leaseToken"].split(".")
    cases = [
        ("complete", {"runnerId": "a", "leaseToken": f"{int(fence) + 7}.{secret}", "output": 1}),
        ("complete", {"runnerId": "b", "leaseToken": run["leaseToken"], "output": 1}),
        ("heartbeat", {"runnerId": "b", "leaseToken": run["leaseToken"]}),
        ("fail", {"runnerId": "a", "leaseToken": f"{int(fence) - 1}.{secret}",
                  "error": {"message": "x"}}),
        ("complete", {"runnerId": "a", "leaseToken": f"{fence}.{'0' * 32}", "output": 1}),
        ("heartbeat", {"runnerId": "a", "leaseToken": fence}),
    ]  # fmt: skip
    for verb, body in cases:
        r = await client.post(f"/Run/{run['id']}/{verb}", json=body)
        assert r.status_code == 409, (verb, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT status FROM runs") == "LEASED"
    r = await client.post(
        "/Run/00000000-0000-4000-8000-000000000000/complete",
        json={"runnerId": "a", "leaseToken": "1"},
    )
    assert r.status_code == 404


async def test_failure_reported_over_rest_is_retried_then_dead_lettered(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(
        db,
        [{"key": "x", "module": "ext.x", "retry": {"maxAttempts": 2, "initialBackoffSeconds": 0}}],
    )
    await start(db, wf)
    for attempt in (1, 2):
        (run,) = (
            await client.post("/Run/claim", json={"runnerId": "a", "modules": ["ext.x"]})
        ).json()["items"]
        assert run["attempt"] == attempt
        r = await client.post(
            f"/Run/{run['id']}/fail",
            json={
                "runnerId": "a",
                "leaseToken": run["leaseToken"],
                "error": {"message": "upstream 503", "type": "http"},
                "retryable": True,
            },
        )
        assert r.status_code == 200
    assert await db.fetchval("SELECT reason FROM dead_letters") == "attempts_exhausted"


async def test_claim_waits_briefly_for_work(client: httpx.AsyncClient) -> None:
    began = time.monotonic()
    r = await client.post(
        "/Run/claim", json={"runnerId": "a", "modules": ["nothing"], "waitSeconds": 0.3}
    )
    assert r.json() == {"items": []}
    assert time.monotonic() - began >= 0.3


async def test_a_runner_key_acts_only_under_its_own_runner_id(
    client: httpx.AsyncClient, db
) -> None:
    from custom.auth.keys import create_key

    _, secret = await create_key(db, "mailer", "runner")
    as_runner = {"Authorization": f"Bearer {secret}"}
    wf = await insert_workflow(db, [{"key": "send", "module": "mailer.send"}])
    await start(db, wf, {"n": 1})
    claim = {"modules": ["mailer.send"], "limit": 5}

    r = await client.post("/Run/claim", json={**claim, "runnerId": "billing"}, headers=as_runner)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "mailer" in r.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'") == 0

    r = await client.post("/Run/claim", json={**claim, "runnerId": "mailer:2"}, headers=as_runner)
    assert r.status_code == 200, r.text
    (run,) = r.json()["items"]
    token = run["leaseToken"]
    for action, body in (
        ("heartbeat", {"runnerId": "mailerx", "leaseToken": token}),
        ("complete", {"runnerId": "billing", "leaseToken": token, "output": {}}),
        ("fail", {"runnerId": "mail", "leaseToken": token, "error": {"message": "x"}}),
    ):
        r = await client.post(f"/Run/{run['id']}/{action}", json=body, headers=as_runner)
        assert r.status_code == 403, (action, r.text)
    assert await db.fetchval("SELECT status FROM runs WHERE id = $1", run["id"]) == "LEASED"
    r = await client.post(
        f"/Run/{run['id']}/complete",
        json={"runnerId": "mailer:2", "leaseToken": token, "output": {"ok": True}},
        headers=as_runner,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SUCCEEDED"
