"""Canonical JSON and idempotency hashes are stable and strict."""

import hashlib
import math
import uuid

import pytest

from custom.idempotency import (
    canonical_json,
    execution_content_hash,
    run_idempotency_key,
    sha256_hex,
)


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": None}]}) == (
        b'{"a":[1,{"c":null,"d":2}],"b":1}'
    )


def test_canonical_json_keeps_non_ascii_as_utf8() -> None:
    assert canonical_json({"name": "Zoë ✓"}) == '{"name":"Zoë ✓"}'.encode()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"x": [math.nan]}])
def test_canonical_json_rejects_nan_and_infinity(bad: object) -> None:
    with pytest.raises(ValueError):
        canonical_json(bad)


def test_canonical_json_rejects_non_json_types() -> None:
    with pytest.raises(TypeError):
        canonical_json({"when": object()})


def test_sha256_hex_matches_hashlib() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_run_key_is_inputs_hash_colon_config_hash() -> None:
    key = run_idempotency_key({"a": 1}, {})
    assert key == sha256_hex(b'{"a":1}') + ":" + sha256_hex(b"{}")


def test_run_key_ignores_key_order_but_not_values() -> None:
    a = run_idempotency_key({"x": 1, "y": [1, 2]}, {"url": "u", "method": "POST"})
    b = run_idempotency_key({"y": [1, 2], "x": 1}, {"method": "POST", "url": "u"})
    assert a == b
    assert a != run_idempotency_key({"x": 2, "y": [1, 2]}, {"url": "u", "method": "POST"})
    assert a != run_idempotency_key({"x": 1, "y": [2, 1]}, {"url": "u", "method": "POST"})


def test_run_key_separates_inputs_from_config() -> None:
    inputs_part, config_part = run_idempotency_key({"a": 1}, {"b": 2}).split(":")
    assert inputs_part == run_idempotency_key({"a": 1}, {}).split(":")[0]
    assert config_part == run_idempotency_key({}, {"b": 2}).split(":")[1]


def test_execution_content_hash_normalises_workflow_id() -> None:
    wid = uuid.uuid4()
    h = execution_content_hash(wid, 1, {"a": 1})
    assert h == execution_content_hash(str(wid), 1, {"a": 1})
    assert h == execution_content_hash(str(wid).upper(), 1, {"a": 1})
    payload = {"workflowId": str(wid), "version": 1, "inputs": {"a": 1}}
    expected = sha256_hex(canonical_json(payload))
    assert h == expected


def test_execution_content_hash_depends_on_every_part() -> None:
    wid = uuid.uuid4()
    h = execution_content_hash(wid, 1, {"a": 1})
    assert h != execution_content_hash(uuid.uuid4(), 1, {"a": 1})
    assert h != execution_content_hash(wid, 2, {"a": 1})
    assert h != execution_content_hash(wid, 1, {"a": 2})
