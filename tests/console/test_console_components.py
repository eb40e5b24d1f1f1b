"""The console's component tests (Vitest + Testing Library + MSW, under ui/src/**/*.test.tsx):
every view rendered against a mocked API, its filters, its actions, its error states."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.console.support import UI, need_node


@pytest.mark.timeout(420)
def test_console_component_tests_pass() -> None:
    need_node()
    done = subprocess.run(
        ["npx", "--no-install", "vitest", "run", "--reporter=dot"],
        cwd=UI,
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, "CI": "1", "NO_COLOR": "1"},
    )
    summary = "\n".join(line for line in done.stdout.splitlines() if "Test" in line)
    print(summary)
    assert done.returncode == 0, f"vitest failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert " passed" in done.stdout and " failed" not in summary, done.stdout[-3000:]
