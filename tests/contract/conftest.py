"""Contract-test plumbing: a pytest 9 shim for schemathesis, and the case count."""

from __future__ import annotations

from typing import Any

import pytest

# schemathesis 4.32.5's lazy schemas (`schemathesis.pytest.from_fixture`) read and
# write `Function._nodeid` to label each operation's subtest; pytest 9 keeps the
# node id in `_id` and has no `_nodeid` any more. A read/write property restores it.
if not hasattr(pytest.Function, "_nodeid"):

    def _get_nodeid(self: pytest.Function) -> str:
        return self.__dict__.get("_schemathesis_nodeid") or self.nodeid

    def _set_nodeid(self: pytest.Function, value: str) -> None:
        self.__dict__["_schemathesis_nodeid"] = value

    pytest.Function._nodeid = property(_get_nodeid, _set_nodeid)  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line the lead can quote: how many cases ran, how long, which statuses."""
    from tests.contract.test_schemathesis import STATS

    if STATS["cases"]:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(STATS["by_status"].items()))
        terminalreporter.write_line(
            f"schemathesis: {STATS['cases']} cases over {len(STATS['operations'])} operations "
            f"in {STATS['seconds']:.1f} s ({statuses})"
        )
