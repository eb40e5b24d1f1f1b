"""connexion's per-operation work is done once per operation, and requests still get
their own parameters, bodies and errors (custom/app/operations.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from connexion import security
from connexion.decorators import parameter

from custom.app import operations
from tests.engine_support import insert_workflow

pytestmark = pytest.mark.asyncio


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Wrap `owner.name` so that each call is counted (the real one still runs)."""
    calls: list[int] = []
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


async def test_the_handler_is_inspected_once_for_many_requests(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspections = count_calls(monkeypatch, parameter, "inspect_function_arguments")
    missing = [str(uuid.uuid4()) for _ in range(5)]
    answers = [await client.get(f"/WorkflowExecution/{i}") for i in missing]
    assert [r.status_code for r in answers] == [404] * 5
    # each answer names its own id: the parameter binding is per request
    assert [i in r.json()["detail"] for i, r in zip(missing, answers, strict=True)] == [True] * 5
    assert len(inspections) == 1


async def test_the_key_check_signature_is_not_read_per_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspections = count_calls(monkeypatch, security, "inspect_function_arguments")
    first = await client.get("/WorkflowExecution/counts")
    after_first = len(inspections)  # 0 when an earlier app of this process read it
    later = [await client.get("/WorkflowExecution/counts") for _ in range(4)]
    assert [r.status_code for r in [first, *later]] == [200] * 5
    assert after_first <= 2
    assert len(inspections) == after_first


async def test_a_body_validator_is_built_once_per_media_type_and_still_rejects(
    client: httpx.AsyncClient, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = count_calls(monkeypatch, operations.OnceValidationOperation, "_new_body_validator")
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    good = [
        await client.post("/WorkflowExecution", json={"workflowId": str(wf), "inputs": {"n": n}})
        for n in range(3)
    ]
    bad = [
        await client.post("/WorkflowExecution", json={"workflowId": str(wf), "priority": "x"})
        for _ in range(2)
    ]
    assert [r.status_code for r in good] == [201] * 3
    assert [r.status_code for r in bad] == [400] * 2
    assert bad[0].json() == bad[1].json()
    assert bad[0].json()["errors"][0]["path"] == "priority"
    assert len(built) == 1
    charset = await client.post(
        "/WorkflowExecution",
        content=b'{"workflowId": "%s"}' % str(wf).encode(),
        headers={"content-type": "application/json;charset=UTF-8"},
    )
    assert charset.status_code in (200, 201)
    assert len(built) == 2  # another charset, another validator


async def test_odd_charsets_do_not_grow_the_cache_past_its_bound(
    client: httpx.AsyncClient, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = count_calls(monkeypatch, operations.OnceValidationOperation, "_new_body_validator")
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    body = b'{"workflowId": "%s"}' % str(wf).encode()
    # twelve spellings of UTF-8, each sent twice
    spellings = ["utf-8", "UTF-8", "Utf-8", "uTf-8", "utF-8", "UTf-8", "uTF-8", "UtF-8"]
    spellings += ["utf8", "UTF8", "utf_8", "u8"]
    codes = []
    for charset in spellings * 2:
        answer = await client.post(
            "/WorkflowExecution",
            content=body,
            headers={"content-type": f"application/json;charset={charset}"},
        )
        codes.append(answer.status_code)
    assert set(codes) == {200, 201}, codes
    kept = operations.MAX_BODY_VALIDATORS
    assert len(built) == kept + 2 * (len(spellings) - kept)
