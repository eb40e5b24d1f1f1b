"""Executions end to end: idempotent start, DAG data flow, retries, dead letters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.conftest import serve_engine
from tests.engine_support import execution_status, insert_workflow, start, wait_status
from tests.support import client_for

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    """The service with 4 in-process runner slots and fast timings."""
    async with serve_engine(
        db_url, runners=4, poll_seconds=0.2, reaper_interval_seconds=0.2, lease_seconds=3
    ) as served:
        yield served


async def test_fifty_concurrent_identical_submissions_make_one_execution(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    body = {"workflowId": str(wf), "inputs": {"order": 7}}
    answers = await asyncio.gather(
        *[client.post("/WorkflowExecution", json=body) for _ in range(50)]
    )
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] * 49 + [201], codes
    assert len({r.json()["id"] for r in answers}) == 1
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 1
    assert await db.fetchval("SELECT count(*) FROM runs") == 1


async def test_idempotency_key_header_dedupes_and_rejects_other_content(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    headers = {"Idempotency-Key": "order-42"}
    first = await client.post(
        "/WorkflowExecution", headers=headers, json={"workflowId": str(wf), "inputs": {"n": 1}}
    )
    again = await client.post(
        "/WorkflowExecution", headers=headers, json={"workflowId": str(wf), "inputs": {"n": 1}}
    )
    other = await client.post(
        "/WorkflowExecution", headers=headers, json={"workflowId": str(wf), "inputs": {"n": 2}}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["idempotencyKey"] == "order-42" == again.json()["idempotencyKey"]
    assert other.status_code == 422
    assert "order-42" in other.json()["detail"]
    assert other.headers["content-type"].startswith("application/problem+json")
    # without a header, different inputs are different executions
    third = await client.post(
        "/WorkflowExecution", json={"workflowId": str(wf), "inputs": {"n": 2}}
    )
    assert third.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 2


async def test_start_of_unknown_workflow_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/WorkflowExecution", json={"workflowId": str(uuid.uuid4())})
    assert r.status_code == 404


async def test_three_step_dag_with_fan_out_and_fan_in_passes_data(engine: Any, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "source", "module": "noop", "inputs": {"amount": "${inputs.amount}"}},
            {
                "key": "double",
                "module": "transform",
                "dependsOn": ["source"],
                "inputs": {"v": "${steps.source.output.amount}"},
                "config": {"output": {"twice": ["${inputs.v}", "${inputs.v}"]}},
            },
            {
                "key": "label",
                "module": "noop",
                "dependsOn": ["source"],
                "inputs": {"text": "${inputs.label}"},
            },
            {
                "key": "join",
                "module": "noop",
                "dependsOn": ["double", "label"],
                "inputs": {
                    "twice": "${steps.double.output.twice}",
                    "label": "${steps.label.output.text}",
                },
            },
        ],
    )
    async with client_for(engine) as client:
        r = await client.post(
            "/WorkflowExecution",
            json={"workflowId": str(wf), "inputs": {"amount": 5, "label": "five"}},
        )
        execution_id = uuid.UUID(r.json()["id"])
        assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
        done = (await client.get(f"/WorkflowExecution/{execution_id}")).json()
    assert done["outputs"]["join"] == {"twice": [5, 5], "label": "five"}
    assert set(done["outputs"]) == {"source", "double", "label", "join"}
    runs = await db.fetch(
        "SELECT step_key, available_at, finished_at FROM runs WHERE execution_id = $1", execution_id
    )
    by_key = {r["step_key"]: r for r in runs}
    assert len(runs) == 4  # each step ran exactly once
    assert by_key["join"]["available_at"] >= max(
        by_key["double"]["finished_at"], by_key["label"]["finished_at"]
    )


async def test_transient_failures_retry_with_exponential_backoff(engine: Any, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {
                "key": "flaky",
                "module": "fail",
                "config": {"times": 2},
                "retry": {
                    "maxAttempts": 3,
                    "initialBackoffSeconds": 0.4,
                    "backoffMultiplier": 2,
                    "maxBackoffSeconds": 10,
                    "jitter": False,
                },
            }
        ],
    )
    execution_id = await start(db, wf, {"x": 1})
    assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
    runs = await db.fetch(
        "SELECT attempt, status, available_at, finished_at FROM runs"
        " WHERE execution_id = $1 ORDER BY attempt",
        execution_id,
    )
    assert [(r["attempt"], r["status"]) for r in runs] == [
        (1, "FAILED"),
        (2, "FAILED"),
        (3, "SUCCEEDED"),
    ]
    gaps = [
        (runs[i + 1]["available_at"] - runs[i]["finished_at"]).total_seconds() for i in range(2)
    ]
    assert 0.38 <= gaps[0] <= 0.45 and 0.78 <= gaps[1] <= 0.85, gaps


async def test_backoff_is_capped_and_jittered() -> None:
    from custom.workflows.retry import backoff_seconds

    retry = {
        "initialBackoffSeconds": 1,
        "backoffMultiplier": 10,
        "maxBackoffSeconds": 30,
        "jitter": True,
    }
    delays = [backoff_seconds(retry, 5) for _ in range(50)]
    # full jitter (the spec's RetryPolicy): anywhere in [0, 30]; it was [15, 30] before issue 12
    assert all(0 <= d <= 30 for d in delays) and len(set(delays)) > 1


async def test_permanent_failure_goes_straight_to_the_dead_letter_queue(engine: Any, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {
                "key": "bad",
                "module": "fail",
                "config": {"times": 1, "permanent": True},
                "retry": {"maxAttempts": 5},
            }
        ],
    )
    execution_id = await start(db, wf)
    assert await wait_status(db, execution_id, "FAILED", "COMPLETED") == "FAILED"
    runs = await db.fetch("SELECT attempt, status FROM runs WHERE execution_id = $1", execution_id)
    assert [(r["attempt"], r["status"]) for r in runs] == [(1, "DEAD_LETTERED")]
    dead = await db.fetchrow("SELECT * FROM dead_letters WHERE execution_id = $1", execution_id)
    assert dead["status"] == "QUARANTINED" and dead["reason"] == "permanent_error"
    assert dead["step_key"] == "bad" and dead["attempts"] == 1


async def test_exhausted_attempts_are_dead_lettered(engine: Any, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {
                "key": "always",
                "module": "fail",
                "config": {"times": -1},
                "retry": {"maxAttempts": 2, "initialBackoffSeconds": 0, "jitter": False},
            }
        ],
    )
    execution_id = await start(db, wf)
    assert await wait_status(db, execution_id, "FAILED", "COMPLETED") == "FAILED"
    statuses = await db.fetch(
        "SELECT status FROM runs WHERE execution_id = $1 ORDER BY attempt", execution_id
    )
    assert [r["status"] for r in statuses] == ["FAILED", "DEAD_LETTERED"]
    reason = await db.fetchval(
        "SELECT reason FROM dead_letters WHERE execution_id = $1", execution_id
    )
    assert reason == "attempts_exhausted"
    error = await db.fetchval("SELECT error FROM workflow_executions WHERE id = $1", execution_id)
    assert error["stepKey"] == "always"


async def test_unresolvable_input_reference_is_a_permanent_failure(engine: Any, db) -> None:
    wf = await insert_workflow(
        db, [{"key": "a", "module": "noop", "inputs": {"v": "${inputs.missing.deep}"}}]
    )
    execution_id = await start(db, wf, {"other": 1})
    assert await execution_status(db, execution_id) == "FAILED"
    assert await db.fetchval("SELECT reason FROM dead_letters") == "permanent_error"


async def test_step_timeout_is_a_transient_failure(engine: Any, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {
                "key": "slow",
                "module": "sleep",
                "inputs": {"seconds": 5},
                "timeoutSeconds": 0.2,
                "retry": {"maxAttempts": 2, "initialBackoffSeconds": 0},
            }
        ],
    )
    execution_id = await start(db, wf)
    assert await wait_status(db, execution_id, "FAILED", "COMPLETED") == "FAILED"
    errors = await db.fetch(
        "SELECT error FROM runs WHERE execution_id = $1 ORDER BY attempt", execution_id
    )
    assert [e["error"]["type"] for e in errors] == ["timeout", "timeout"]
