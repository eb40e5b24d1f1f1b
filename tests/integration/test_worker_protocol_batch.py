"""The batch operations of the REST worker protocol: one heartbeat for every run a
runner holds (`heartbeatRuns`), and giving runs back on shutdown (`releaseRuns`)."""

from __future__ import annotations

import datetime

import httpx
import pytest

from tests.engine_support import insert_workflow, start

pytestmark = pytest.mark.asyncio

UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def _claim(client: httpx.AsyncClient, runner: str, n: int, **extra: object) -> list[dict]:
    r = await client.post(
        "/Run/claim", json={"runnerId": runner, "modules": ["ext.x"], "limit": n, **extra}
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


FAKE = "1." + "0" * 32  # a well-formed token no claim ever answered


def _stale(token: str) -> str:
    """The same secret under another fencing number: a token this lease never had."""
    fence, secret = token.split(".")
    return f"{int(fence) + 1000}.{secret}"


def _refs(runs: list[dict]) -> list[dict]:
    return [{"id": r["id"], "leaseToken": r["leaseToken"]} for r in runs]


async def _lease_left(db, runner: str) -> float:
    return await db.fetchval(
        "SELECT extract(epoch FROM expires_at - now()) FROM runner_leases WHERE runner_id = $1",
        runner,
    )


async def test_batch_heartbeat_answers_each_run_and_extends_by_the_claimed_length(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    executions = [await start(db, wf, {"n": i}) for i in range(3)]
    runs = await _claim(client, "w:1", 3, leaseSeconds=30)
    assert len(runs) == 3
    await db.execute("UPDATE runner_leases SET expires_at = now() + interval '3 seconds'")
    cancelled = next(r for r in runs if r["executionId"] == str(executions[0]))
    r = await client.post(f"/WorkflowExecution/{executions[0]}/cancel")
    assert r.status_code == 200, r.text
    stale = {"id": runs[1]["id"], "leaseToken": _stale(runs[1]["leaseToken"])}
    body = {"runnerId": "w:1", "runs": [*_refs(runs), stale, {"id": UNKNOWN, "leaseToken": FAKE}]}

    r = await client.post("/Run/heartbeat", json=body)

    assert r.status_code == 200, r.text
    answer = r.json()
    assert [a["id"] for a in answer["runs"]] == [x["id"] for x in body["runs"]]
    assert [a["lost"] for a in answer["runs"]] == [False, False, False, True, True]
    assert [a["id"] for a in answer["runs"] if a["cancelRequested"]] == [cancelled["id"]]
    # extended by the 30 s it claimed with, not the server's 120 s default
    assert 25 < await _lease_left(db, "w:1") <= 30
    expires = datetime.datetime.fromisoformat(answer["leaseExpiresAt"])
    assert 25 < (expires - datetime.datetime.now(datetime.UTC)).total_seconds() <= 30
    assert await db.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'") == 3


async def test_batch_heartbeat_with_a_length_and_after_the_lease_expired(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    await start(db, wf)
    runs = await _claim(client, "w:1", 1, leaseSeconds=30)
    r = await client.post(
        "/Run/heartbeat", json={"runnerId": "w:1", "runs": _refs(runs), "leaseSeconds": 300}
    )
    assert r.status_code == 200 and r.json()["runs"][0]["lost"] is False
    assert 295 < await _lease_left(db, "w:1") <= 300

    await db.execute("UPDATE runner_leases SET expires_at = now() - interval '1 second'")
    r = await client.post("/Run/heartbeat", json={"runnerId": "w:1", "runs": _refs(runs)})
    assert r.status_code == 200
    assert r.json() == {
        "leaseExpiresAt": None,
        "runs": [{"id": runs[0]["id"], "lost": True, "cancelRequested": False}],
    }
    assert await _lease_left(db, "w:1") < 0  # an expired lease is not revived

    # another runner naming the run does not hold it either, and extends nothing
    r = await client.post("/Run/heartbeat", json={"runnerId": "w:2", "runs": _refs(runs)})
    assert r.json()["runs"][0]["lost"] is True
    assert await db.fetchval("SELECT count(*) FROM runner_leases WHERE runner_id = 'w:2'") == 0


async def test_release_gives_back_only_runs_held_with_their_token(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    for i in range(2):
        await start(db, wf, {"n": i})
    a, b = await _claim(client, "w:1", 2)
    body = {
        "runnerId": "w:1",
        "runs": [
            {"id": a["id"], "leaseToken": a["leaseToken"]},
            {"id": b["id"], "leaseToken": _stale(b["leaseToken"])},
            {"id": UNKNOWN, "leaseToken": FAKE},
        ],
    }
    r = await client.post("/Run/release", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"released": [a["id"]]}
    rows = {
        str(x["id"]): x
        for x in await db.fetch("SELECT id, status, attempt, lease_owner, lease_token FROM runs")
    }
    assert len(rows) == 2  # no new attempt was created
    assert (rows[a["id"]]["status"], rows[a["id"]]["attempt"]) == ("PENDING", 1)
    assert rows[a["id"]]["lease_owner"] is None
    assert rows[b["id"]]["status"] == "LEASED"
    # the released run is ready at once for anybody
    (again,) = await _claim(client, "w:2", 5)
    assert again["id"] == a["id"] and again["attempt"] == 1


async def test_batch_operations_are_bound_to_the_runner_key(client: httpx.AsyncClient, db) -> None:
    from custom.auth.keys import create_key

    _, secret = await create_key(db, "mailer", "runner")
    as_runner = {"Authorization": f"Bearer {secret}"}
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    await start(db, wf)
    r = await client.post(
        "/Run/claim",
        json={"runnerId": "mailer:7", "modules": ["ext.x"]},
        headers=as_runner,
    )
    refs = _refs(r.json()["items"])
    for path in ("/Run/heartbeat", "/Run/release"):
        r = await client.post(path, json={"runnerId": "billing", "runs": refs}, headers=as_runner)
        assert r.status_code == 403, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT status FROM runs") == "LEASED"
    r = await client.post(
        "/Run/heartbeat", json={"runnerId": "mailer:7", "runs": refs}, headers=as_runner
    )
    assert r.status_code == 200 and r.json()["runs"][0]["lost"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"runnerId": "w", "runs": []},
        {"runnerId": "w", "runs": [{"id": "not-a-uuid", "leaseToken": FAKE}]},
        {"runnerId": "w", "runs": [{"id": UNKNOWN}]},
        {"runnerId": "w", "runs": [{"id": UNKNOWN, "leaseToken": FAKE}], "leaseSeconds": 0},
        {"runs": [{"id": UNKNOWN, "leaseToken": FAKE}]},
    ],
)
async def test_bad_batch_bodies_are_400_and_change_nothing(
    client: httpx.AsyncClient, db, body: dict
) -> None:
    for path in ("/Run/heartbeat", "/Run/release"):
        if path == "/Run/release" and ("leaseSeconds" in body or body.get("runs") == []):
            continue  # release takes no length, and may name no run (allHeld)
        r = await client.post(path, json=body)
        assert r.status_code == 400, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM runner_leases") == 0


async def test_release_all_held_gives_back_what_the_runner_did_not_name(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    for i in range(3):
        await start(db, wf, {"n": i})
    a, b = await _claim(client, "w:1", 2)
    (other,) = await _claim(client, "w:2", 1)
    r = await client.post(
        "/Run/release",
        json={
            "runnerId": "w:1",
            "runs": [{"id": a["id"], "leaseToken": a["leaseToken"]}],
            "allHeld": True,
        },
    )
    assert r.status_code == 200, r.text
    assert sorted(r.json()["released"]) == sorted([a["id"], b["id"]])
    statuses = {str(x["id"]): x["status"] for x in await db.fetch("SELECT id, status FROM runs")}
    assert statuses == {a["id"]: "PENDING", b["id"]: "PENDING", other["id"]: "LEASED"}
    r = await client.post("/Run/release", json={"runnerId": "w:1", "allHeld": True})
    assert r.json() == {"released": []}
