"""Every invalid request is a 4xx `application/problem+json` that changes nothing.

Each case here is a trap that once (or easily could) turn into a 500 or an
answer outside the spec; the contract test (tests/contract) fuzzes the rest.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio

from generated.operations import OPERATIONS
from tests.support import assert_problem, expect_unchanged, snapshot

pytestmark = pytest.mark.asyncio

STEPS = [{"key": "a", "module": "noop"}]
MISSING = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest_asyncio.fixture
async def workflow(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/Workflow", json={"name": "wf", "steps": STEPS})
    assert r.status_code == 201, r.text
    return r.json()


# --- NUL characters (PostgreSQL rejects U+0000 in text and jsonb) -------------


async def test_nul_in_query_is_a_400(client, db, workflow) -> None:
    await expect_unchanged(db, lambda: client.get("/Workflow?name=a%00b"), 400, "NUL", "query")


async def test_nul_in_path_is_a_400(client, db, workflow) -> None:
    await expect_unchanged(db, lambda: client.get("/Workflow/a%00b"), 400, "NUL", "path")


async def test_nul_in_header_is_a_400(client, db, workflow) -> None:
    async def send() -> httpx.Response:
        body = {"workflowId": workflow["id"]}
        return await client.post(
            "/WorkflowExecution", json=body, headers={"Idempotency-Key": "k\x00"}
        )

    await expect_unchanged(db, send, 400, "NUL", "header")


async def test_nul_in_json_body_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/Workflow", json={"name": "a\x00", "steps": STEPS}
        )  # json encodes it as \\u0000

    await expect_unchanged(db, send, 400, "NUL")


async def test_nul_in_json_key_deep_in_inputs_is_a_400(client, db, workflow) -> None:
    async def send() -> httpx.Response:
        body = {"workflowId": workflow["id"], "inputs": {"a": [{"\x00": 1}]}}
        return await client.post("/WorkflowExecution", json=body)

    await expect_unchanged(db, send, 400, "NUL")


# --- bodies that are not JSON, not UTF-8, absent or of the wrong type ----------


async def test_non_utf8_body_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/Workflow",
            content=b'{"name": "\xff\xfe", "steps": []}',
            headers={"Content-Type": "application/json"},
        )

    await expect_unchanged(db, send, 400, "UTF-8")


async def test_non_utf8_body_without_content_type_is_a_4xx(client, db) -> None:
    before = await snapshot(db)
    r = await client.post("/Workflow", content=b"\xff\xfe\xfd")
    assert r.status_code in (400, 415)
    assert_problem(r, r.status_code)
    assert await snapshot(db) == before


async def test_malformed_json_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/Workflow", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400, "not valid JSON")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_numbers_are_a_400(client, db, literal: bytes) -> None:
    """Python's json module reads NaN/Infinity (and 1e999 as inf); JSON does not have them,
    and a double column would store them and answer invalid JSON afterwards."""

    async def send() -> httpx.Response:
        body = b'{"name": "n", "steps": [{"key": "a", "module": "noop", "timeoutSeconds": %s}]}'
        return await client.post(
            "/Workflow", content=body % literal, headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400)


@pytest.mark.parametrize("inner", [b"1", b'"\\u0000"'])
async def test_too_deeply_nested_json_is_a_400(client, db, workflow, inner: bytes) -> None:
    async def send() -> httpx.Response:
        deep = b"[" * 100_000 + inner + b"]" * 100_000
        body = b'{"workflowId": "%s", "inputs": {"a": %s}}' % (workflow["id"].encode(), deep)
        return await client.post(
            "/WorkflowExecution", content=body, headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400, "nested too deeply")


@pytest.mark.parametrize("depth", [500, 990])
async def test_deep_but_parseable_json_is_not_a_server_error(client, workflow, depth: int) -> None:
    deep = b"[" * depth + b"1" + b"]" * depth
    body = b'{"workflowId": "%s", "inputs": {"a": %s}}' % (workflow["id"].encode(), deep)
    r = await client.post(
        "/WorkflowExecution", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code < 500, r.text


async def test_empty_body_on_a_required_body_operation_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        return await client.post("/Workflow", headers={"Content-Type": "application/json"})

    body = await expect_unchanged(db, send, 400, "body is required")
    assert body["type"] == "/problems/invalid-request"


async def test_json_null_body_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/Workflow", content=b"null", headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400, "required")


async def test_body_of_the_wrong_json_type_is_a_400(client, db) -> None:
    body = await expect_unchanged(db, lambda: client.post("/Workflow", json=[1, 2]), 400, "object")
    assert body["type"] == "/problems/invalid-request"


async def test_wrong_content_type_is_a_documented_415(client, db, app) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/Workflow", content=b"name=x", headers={"Content-Type": "text/plain"}
        )

    await expect_unchanged(db, send, 415, "text/plain")
    spec = (await client.get("/openapi.json")).json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op:
                assert "415" in op["responses"], f"{method.upper()} {path} does not document 415"
                assert "413" in op["responses"], f"{method.upper()} {path} does not document 413"


async def test_body_larger_than_the_limit_is_a_413(client, db) -> None:
    big = {"name": "x", "description": "d" * 2_000_000, "steps": STEPS}
    await expect_unchanged(db, lambda: client.post("/Workflow", json=big), 413)


async def test_absent_optional_body_passes_validation(client, db) -> None:
    """`requeueDeadLetter` has an optional body: no body is not a 400 (it is a 404
    here, as the entry does not exist, or 501 while the operation is a stub)."""
    r = await client.post(f"/DeadLetterQueue/{MISSING}/requeue")
    assert r.status_code in (404, 501), r.text
    assert_problem(r, r.status_code)


# --- numbers and parameters of the wrong shape -----------------------------


async def test_int_beyond_int64_in_body_is_a_400(client, db) -> None:
    async def send() -> httpx.Response:
        body = {"runnerId": "r", "modules": ["m"], "limit": 2**64}
        return await client.post("/Run/claim", json=body)

    body = await expect_unchanged(db, send, 400, "limit")
    assert len(body["detail"]) < 200


async def test_huge_int_in_free_form_inputs_is_stored_or_refused_cleanly(
    client, db, workflow
) -> None:
    body = {"workflowId": workflow["id"], "inputs": {"n": 10**400}}
    r = await client.post("/WorkflowExecution", json=body)
    assert r.status_code < 500, r.text


# --- the three 500s of issue 11 (also explicit cases of tests/contract) -----------


@pytest.mark.parametrize(
    ("method", "path"),
    sorted((op.method, op.path) for op in OPERATIONS.values() if op.has_body),
)
async def test_json_body_without_content_type_is_a_415_on_every_json_endpoint(
    client, db, workflow, method: str, path: str
) -> None:
    """connexion validated such a body as JSON, then handed the handler raw bytes."""
    body = {"workflowId": workflow["id"], "runnerId": "r", "modules": ["noop"], "name": "n",
            "steps": STEPS, "leaseToken": "1.x", "notes": "n", "filter": {}}  # fmt: skip
    url = path.replace("{id}", workflow["id"])

    async def send() -> httpx.Response:
        return await client.request(method, url, content=json.dumps(body).encode())

    problem = await expect_unchanged(db, send, 415, "no Content-Type")
    assert problem["type"] == "/problems/unsupported-media-type"


async def test_an_empty_body_without_content_type_still_passes(client, db) -> None:
    """`curl -X POST` with no body is no media type problem (the body is optional here)."""
    r = await client.post(f"/DeadLetterQueue/{MISSING}/requeue")
    assert_problem(r, 404)


@pytest.mark.parametrize("where", ["inputs", "key"])
async def test_integer_of_more_than_4300_digits_is_a_400(client, db, workflow, where) -> None:
    """Python's int() refuses such integers with a ValueError the JSON reader let through."""
    huge = b"9" * 4301
    inputs = b'{"n": %s}' % huge if where == "inputs" else b'{"n": [1, -%s]}' % huge

    async def send() -> httpx.Response:
        body = b'{"workflowId": "%s", "inputs": %s}' % (workflow["id"].encode(), inputs)
        return await client.post(
            "/WorkflowExecution", content=body, headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400, "4301 digits")


async def test_integer_of_4300_digits_is_stored_and_read_back(client, workflow) -> None:
    n = int("7" * 4300)
    r = await client.post("/WorkflowExecution", json={"workflowId": workflow["id"],
                                                      "inputs": {"n": n}})  # fmt: skip
    assert r.status_code == 201, r.text
    got = await client.get(f"/WorkflowExecution/{r.json()['id']}")
    assert got.json()["inputs"] == {"n": n}


@pytest.mark.parametrize(
    "inputs",
    [{"text": "\udfff"}, {"\ud800": "key"}, {"deep": [{"a": ["x\udc00y"]}]}],
    ids=["value", "key", "nested"],
)
async def test_lone_surrogate_in_execution_inputs_is_a_400(client, db, workflow, inputs) -> None:
    """json.dumps writes the lone surrogate as the escape `\\udfff`: valid JSON spelling,
    but no character, so the input hashing (UTF-8) failed with a 500."""

    body = json.dumps({"workflowId": workflow["id"], "inputs": inputs}).encode()  # ASCII escapes

    async def send() -> httpx.Response:
        return await client.post(
            "/WorkflowExecution", content=body, headers={"Content-Type": "application/json"}
        )

    await expect_unchanged(db, send, 400, "surrogate")


async def test_a_surrogate_pair_is_one_character_and_is_accepted(client, workflow) -> None:
    body = b'{"workflowId": "%s", "inputs": {"emoji": "\\ud83d\\ude00"}}' % (
        workflow["id"].encode()
    )
    r = await client.post(
        "/WorkflowExecution", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["inputs"] == {"emoji": "\U0001f600"}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("limit=1.5", "limit"),
        ("cursor=%%%", "cursor"),
        ("unknown=1", "unknown"),
    ],
)
async def test_bad_query_parameters_are_a_400(client, db, query: str, words: str) -> None:
    body = await expect_unchanged(db, lambda: client.get(f"/Workflow?{query}"), 400, words)
    assert "Failed validating" not in body["detail"]
    assert len(body["detail"]) < 300


async def test_validation_detail_is_concise_and_located(client, db) -> None:
    steps = [{"key": "a", "module": "noop", "retry": {"maxAttempts": 1000}}]
    body = await expect_unchanged(
        db, lambda: client.post("/Workflow", json={"name": "n", "steps": steps}), 400
    )
    assert body["detail"] == "body.steps[0].retry.maxAttempts: must be at most 100"
    assert body["errors"] == [
        {"in": "body", "path": "steps[0].retry.maxAttempts", "message": "must be at most 100"}
    ]


async def test_bad_uuid_in_path_is_a_concise_400(client, db) -> None:
    body = await expect_unchanged(db, lambda: client.get("/Workflow/not-a-uuid"), 400, "id")
    assert body["detail"] == "path parameter 'id': 'not-a-uuid' is not a valid uuid"


async def test_a_long_rejected_value_is_not_echoed_whole(client, db) -> None:
    body = await expect_unchanged(db, lambda: client.get("/Workflow/" + "z" * 5000), 400)
    assert len(body["detail"]) < 200


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90IGEgY3Vyc29y",  # "not a cursor"
        base64.urlsafe_b64encode(b"2024-01-01|nope").decode(),
        base64.urlsafe_b64encode(f"not-a-date|{uuid.uuid4()}".encode()).decode(),
        base64.urlsafe_b64encode(f"2024-01-01|{uuid.uuid4()}".encode()).decode(),  # no zone
        base64.urlsafe_b64encode(f"9999-12-31T23:59:59-14:00|{uuid.uuid4()}".encode()).decode(),
        "\u00e9t\u00e9",
    ],
)
async def test_invalid_cursor_is_a_400(client, db, workflow, cursor: str) -> None:
    r = await client.get("/Workflow", params={"cursor": cursor})
    assert_problem(r, 400, "cursor")


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_invalid_idempotency_key_header_is_a_400(client, db, workflow, key: str) -> None:
    async def send() -> httpx.Response:
        return await client.post(
            "/WorkflowExecution",
            json={"workflowId": workflow["id"]},
            headers={"Idempotency-Key": key},
        )

    await expect_unchanged(db, send, 400, "Idempotency-Key")


# --- methods and paths --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/Run/claim", "POST"),
        ("DELETE", "/Run/claim", "POST"),
        ("GET", "/DeadLetterQueue/bulk-requeue", "POST"),
        ("PATCH", "/Workflow", "GET, HEAD, POST"),
        ("POST", f"/Workflow/{MISSING}", "DELETE, GET, HEAD, PUT"),
        ("PUT", "/health", "GET, HEAD"),
    ],
)
async def test_undeclared_method_is_a_405_with_the_spec_allow_header(
    client, db, method: str, path: str, allow: str
) -> None:
    body = await expect_unchanged(db, lambda: client.request(method, path), 405)
    assert body["type"] == "/problems/method-not-allowed"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/Run/claim", "POST"),
        ("PATCH", "/Workflow", "GET, HEAD, POST"),
        ("POST", f"/Workflow/{MISSING}", "DELETE, GET, HEAD, PUT"),
    ],
)
async def test_405_allow_header_lists_the_declared_methods(
    client, method: str, path: str, allow: str
) -> None:
    r = await client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow


@pytest.mark.parametrize("path", ["/nope", "/Workflow/x/y/z", "/workflow"])
async def test_unknown_path_is_a_404_problem(client, db, path: str) -> None:
    await expect_unchanged(db, lambda: client.get(path), 404)


async def test_unknown_path_outside_the_base_is_a_404_problem(client) -> None:
    # GET outside /v1 is the console's (its app routes, or the page saying how to build it:
    # tests/console/test_console_serving.py); any other method there is the API's 404
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client._transport.app),  # type: ignore[attr-defined]
        base_url="http://testserver",
    ) as c:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = await c.request(method, "/nothing/here", json={})
            assert_problem(r, 404)
        r = await c.get("/nothing/here")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


# --- auth ----------------------------------------------------------------------


async def test_missing_and_unknown_keys_are_401_problems(app, db) -> None:
    from tests.support import client_for

    for key in (None, "vk_unknown"):
        async with client_for(app, key=key) as c:
            body = await expect_unchanged(
                db, lambda c=c: c.post("/Workflow", json={"name": "n", "steps": STEPS}), 401
            )
        assert body["type"] == "/problems/unauthorized"
