"""What the console's tests need from this machine, and what happens without it.

The component tests need Node.js (20.19+) with ui/node_modules; the browser test
needs Chromium too (Debian's `chromium` package). Without them a local run skips
these tests and says so loudly at the end; CI sets VALKYR_REQUIRE_CONSOLE_TESTS=1,
which turns every such skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SKIPPED: list[str] = []


def required() -> bool:
    return os.environ.get("VALKYR_REQUIRE_CONSOLE_TESTS") == "1"


def missing(why: str) -> None:
    """Skip (locally) or fail (in CI) a console test that cannot run here."""
    if required():
        pytest.fail(f"{why} (VALKYR_REQUIRE_CONSOLE_TESTS=1: the console tests must run)")
    SKIPPED.append(why)
    pytest.skip(why)


def node_problem() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "Node.js is not installed"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major, minor = (int(p) for p in version.lstrip("v").split(".")[:2])
    if (major, minor) < (20, 19):
        return f"Node.js {version} is older than 20.19"
    if not (UI / "node_modules" / ".bin" / "vitest").exists():
        return "ui/node_modules is missing (make ui-deps)"
    return None


def need_node() -> None:
    problem = node_problem()
    if problem:
        missing(f"console tests need Node.js 20.19+ with ui/node_modules: {problem}")


def need_chromium() -> None:
    need_node()
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"the browser test needs Chromium at {CHROMIUM} (apt-get install -y chromium)")


def build_console() -> None:
    """The console as the sources are now (make console: a no-op when up to date)."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "console"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (
        f"make console failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
