"""The SQL of custom/sql states the spec's facts as literals (a status in a partial
index predicate or a CASE reads best as text): each must be a fact the spec states.

- every upper-case string literal is a member of one of the generated status enums
  (a typo, or a status the spec dropped, fails here instead of matching no row);
- every NOTIFY goes to the spec's channel (x-engine.notifyChannel), the one the
  listener LISTENs on.
"""

from __future__ import annotations

import re

from custom.sql import queries
from generated.constants import (
    NOTIFY_CHANNEL,
    BreakerState,
    DeadLetterStatus,
    ExecutionStatus,
    RunStatus,
)

STATUSES = {
    s.value for enum in (ExecutionStatus, RunStatus, DeadLetterStatus, BreakerState) for s in enum
}
UPPER_LITERAL = re.compile(r"'([A-Z][A-Z0-9_]*)'")
NOTIFY = re.compile(r"pg_notify\(\s*'([^']*)'")


def unknown_statuses(sql: str) -> set[str]:
    return set(UPPER_LITERAL.findall(sql)) - STATUSES


def test_the_checker_finds_a_status_the_spec_does_not_state() -> None:
    sql = "UPDATE runs SET status = 'DONE' WHERE status IN ('LEASED', 'PENDING')"
    assert unknown_statuses(sql) == {"DONE"}


def test_every_status_literal_in_the_sql_is_a_spec_status() -> None:
    found = {name: set(UPPER_LITERAL.findall(sql)) for name, sql in queries().items()}
    every = set().union(*found.values())
    # the SQL does use them (the check above is not vacuous)
    assert {"PENDING", "LEASED", "RUNNING", "QUARANTINED", "HALF_OPEN"} <= every
    wrong = {name: sorted(lits - STATUSES) for name, lits in found.items() if lits - STATUSES}
    assert not wrong, f"status literals the spec's enums do not have: {wrong}"


def test_every_notify_goes_to_the_specs_channel() -> None:
    channels = {name: NOTIFY.findall(sql) for name, sql in queries().items() if "pg_notify" in sql}
    assert {"runs_notify", "execution_start"} <= set(channels)
    for name, found in channels.items():
        assert found and set(found) == {NOTIFY_CHANNEL}, (name, found)
