"""Contract: schemathesis over every operation, in-process, against the real database.

The served app (its own fresh database, lifespan run once by schemathesis on
its event-loop thread) is loaded with `from_asgi("/v1/openapi.json", app)`;
each operation runs the examples, coverage and fuzzing phases, valid and
invalid data (NUL characters included), as the admin key.

Every answer must pass schemathesis's checks: not_a_server_error,
status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance,
negative_data_rejection (invalid input is a 4xx), missing_required_header,
ignored_auth (without the key it is a 401), unsupported_method and
allow_header_conformance (405 with the spec's `Allow`). Not
positive_data_acceptance: see CONFIG.

The one allowed 5xx is a 501 from an engine operation (`x-custom`) whose
handler is still the generated stub; it becomes a failure by itself as soon as
the operation gets a real handler. The run's size and time are printed at the
end of the session (`schemathesis: N cases over M operations in S s`).

Explicit cases follow the generated ones: inputs that once gave a 500 (a JSON
body without `Content-Type` on every operation that takes a body, an integer of
more than 4,300 digits, a lone UTF-16 surrogate in execution inputs), each sent
as is, checked the same way, and required to leave every table as it was.

Reproduce a failure: the report prints a curl line; the run is deterministic
(`deterministic = derandomize`), so rerunning this test replays it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.python import asgi

from custom.app.resolver import resolve_handler
from generated.operations import OPERATIONS
from generated.tables import metadata
from tests.conftest import make_settings
from tests.support import ADMIN_KEY, clone_database, drop_database

# Budget: the whole run stays well under 90 s on a 2-core machine.
MAX_EXAMPLES = 40
STATS: dict[str, Any] = {"cases": 0, "by_status": Counter(), "seconds": 0.0, "operations": set()}
# `claimRuns` may long-poll up to `waitSeconds` (≤ 30 s) for work; the contract
# only needs the answer, so valid waits are cut to this.
MAX_CLAIM_WAIT = 0.05

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
CONFIG = {
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "allow-x00": True,
        "with-security-parameters": False,
    },
    "checks": {
        # Semantic rules the schema cannot express (a cursor must be one the service
        # issued, a step's initial backoff may not exceed its maximum, no NUL in text)
        # make some schema-valid requests a documented 400.
        "positive_data_acceptance": {"enabled": False},
        # A schema-violating body larger than VALKYR_MAX_BODY_BYTES (a batch of too many
        # items with large inputs) is refused before it is read: a 413 rejects it too.
        "negative_data_rejection": {
            "expected-statuses": NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES + ["413"]
        },
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}


def stub_only_operations() -> set[str]:
    """operationIds still answered by their generated 501 stub."""
    return {
        op_id
        for op_id, info in OPERATIONS.items()
        if info.custom and resolve_handler(op_id).__module__.startswith("generated.")
    }


@pytest_asyncio.fixture(scope="module")
async def contract_db(pg_template: str) -> AsyncIterator[str]:
    url = await clone_database(pg_template)
    yield url
    await drop_database(pg_template, url)


@pytest.fixture(scope="module")
def api_schema(contract_db: str) -> Iterator[Any]:
    from custom.app import create_app

    app = create_app(make_settings(contract_db))
    config = schemathesis.Config.from_dict(CONFIG)
    started = time.perf_counter()
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app, config=config)
    yield schema
    STATS["seconds"] = time.perf_counter() - started
    asgi.shutdown_lifespans()


schema = schemathesis.pytest.from_fixture("api_schema")
STUBS = stub_only_operations()


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@schema.parametrize()
def test_api_contract(case: Any) -> None:
    op_id = case.operation.definition.raw.get("operationId")
    STATS["operations"].add(op_id)
    body = case.body
    if op_id == "claimRuns" and isinstance(body, dict):
        wait = body.get("waitSeconds")
        if type(wait) in (int, float) and MAX_CLAIM_WAIT < wait <= 30:
            body["waitSeconds"] = MAX_CLAIM_WAIT
    response = case.call(headers=AUTH)
    STATS["cases"] += 1
    STATS["by_status"][response.status_code] += 1
    excluded = [not_a_server_error] if response.status_code == 501 and op_id in STUBS else []
    # explicit headers: `ignored_auth` then knows the key is real and probes without it
    case.validate_response(response, headers=AUTH, excluded_checks=excluded)


# --- explicit cases: inputs that once gave a 500 (issue 11) ----------------------
# Each is sent as is and must pass every check above as a documented 4xx problem,
# and leave the database as it was.

BODY_OPERATIONS = sorted((op.path, op.method) for op in OPERATIONS.values() if op.has_body)
HUGE_INT = b"1" * 4301  # Python refuses to read integers of more than 4,300 digits


def stored_rows(url: str) -> dict[str, int]:
    """How many rows each table holds (api_keys aside: every request touches them)."""
    from custom.db.urls import asyncpg_url

    async def count() -> dict[str, int]:
        conn = await asyncpg.connect(asyncpg_url(url))
        try:
            tables = [t for t in metadata.tables if t != "api_keys"]
            return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in sorted(tables)}
        finally:
            await conn.close()

    return asyncio.run(count())


def call_unchanged(contract_db: str, case: Any, **kwargs: Any) -> Any:
    before = stored_rows(contract_db)
    response = case.call(**kwargs)
    case.validate_response(response, headers=AUTH)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"][0].startswith("application/problem+json")
    assert stored_rows(contract_db) == before
    return response


@pytest.fixture(scope="module")
def workflow_id(api_schema: Any) -> str:
    case = api_schema["/Workflow"]["POST"].Case(
        body={"name": "explicit", "steps": [{"key": "a", "module": "noop"}]},
        media_type="application/json",
    )
    response = case.call(headers=AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS)
def test_json_body_without_content_type_is_a_415(
    api_schema: Any, contract_db: str, path: str, method: str
) -> None:
    operation = api_schema[path][method]
    case = operation.Case(
        path_parameters={"id": str(uuid.uuid4())} if "{id}" in path else None,
        body=b'{"runnerId": "r", "name": "n"}',
        media_type="application/json",
    )
    # `None` drops the header: the body goes out with no Content-Type at all
    response = call_unchanged(contract_db, case, headers={**AUTH, "Content-Type": None})
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/WorkflowExecution", b'{"workflowId": "%(wf)s", "inputs": {"n": %(int)s}}'),
        (
            "/Workflow",
            b'{"name": "n", "steps": [{"key": "a", "module": "noop", "config": {"n": %(int)s}}]}',
        ),
        ("/Run/claim", b'{"runnerId": "r", "modules": ["m"], "limit": %(int)s}'),
    ],
)
def test_integer_of_more_than_4300_digits_is_a_400(
    api_schema: Any, contract_db: str, workflow_id: str, path: str, body: bytes
) -> None:
    raw = body % {b"wf": workflow_id.encode(), b"int": HUGE_INT}
    case = api_schema[path]["POST"].Case(body=raw, media_type="application/json")
    response = call_unchanged(contract_db, case, headers=AUTH)
    assert response.status_code == 400 and "4301 digits" in response.json()["detail"]


@pytest.mark.parametrize(
    "inputs", [{"text": "\udfff"}, {"\ud800": 1}, {"list": ["ok", "a\udc00b"]}]
)
def test_lone_surrogate_in_execution_inputs_is_a_400(
    api_schema: Any, contract_db: str, workflow_id: str, inputs: dict[str, Any]
) -> None:
    # json.dumps escapes the lone surrogate as \udfff: valid JSON, but no character
    case = api_schema["/WorkflowExecution"]["POST"].Case(
        body={"workflowId": workflow_id, "inputs": inputs}, media_type="application/json"
    )
    response = call_unchanged(contract_db, case, headers=AUTH)
    assert response.status_code == 400 and "surrogate" in response.json()["detail"]
