"""Console tests: say loudly when they could not run."""

from __future__ import annotations

from typing import Any

from tests.console.support import SKIPPED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SKIPPED:
        return
    terminalreporter.write_sep("!", "CONSOLE TESTS SKIPPED", red=True, bold=True)
    for why in dict.fromkeys(SKIPPED):
        terminalreporter.write_line(f"  {why}", red=True)
    terminalreporter.write_line(
        "  The operator console was NOT tested. CI runs these (VALKYR_REQUIRE_CONSOLE_TESTS=1).",
        red=True,
    )
