"""`-- include: <name>` in custom/sql: the claim and its variant without rate limits are
built from the same fragments, so they cannot drift apart."""

from __future__ import annotations

import pytest

from custom.sql import _expand, parse_queries, q


def test_an_include_line_is_replaced_by_the_named_fragment() -> None:
    found = parse_queries(
        "-- name: whole\n-- a comment\nSELECT 1\n-- include: part\n;\n"
        "-- name: part\n-- the part\nFROM t\n"
    )
    assert found["whole"] == "SELECT 1\n-- include: part\n;"
    assert _expand(found["whole"], found) == "SELECT 1\nFROM t\n;"


def test_an_include_cycle_is_refused() -> None:
    found = {"a": "-- include: b", "b": "-- include: a"}
    with pytest.raises(ValueError, match="nested"):
        _expand(found["a"], found)


def test_the_claim_without_rate_limits_is_the_claim_less_its_bucket_fragment() -> None:
    full, unlimited = q("run_claim"), q("run_claim_unlimited")
    assert "-- include" not in full and "-- include" not in unlimited
    assert q("claim_decided") in full and q("claim_decided") in unlimited
    assert q("claim_lease") in full and q("claim_lease") in unlimited
    assert q("claim_rate_limited") in full and "rate_limits" not in unlimited
