"""End to end in a real browser: Debian's Chromium, driven by playwright-core
(ui/e2e/operator-day.mjs), against `valkyr serve` on a free port and a fresh real
PostgreSQL database, walking an operator's day (sign in, studio, monitor, DAG,
pause/resume, requeue with a corrected input, discard, breaker reset, a rate limit set
and raised, keys, a viewer, a revoked key). Screenshots of every view are kept in
test-results/console/ (CI keeps that folder as its artifact)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from tests.console.support import ROOT, UI, build_console, need_chromium
from tests.engine_support import ServiceProcess
from tests.support import ADMIN_KEY

ARTIFACTS = ROOT / "test-results" / "console"


@pytest.mark.asyncio
@pytest.mark.timeout(420)
async def test_an_operators_day_in_chromium(db_url: str, tmp_path: Path) -> None:
    need_chromium()
    await asyncio.to_thread(build_console)
    service = ServiceProcess(
        db_url, tmp_path, ADMIN_KEY, VALKYR_RUNNERS=4, VALKYR_CONSOLE_DIR=UI / "dist"
    )
    try:
        await service.wait_ready()
        base = service.url.removesuffix("/v1")
        env = {
            **os.environ,
            "BASE_URL": base,
            "ADMIN_KEY": ADMIN_KEY,
            "E2E_ARTIFACTS": str(ARTIFACTS),
            "NO_COLOR": "1",
        }
        done = await asyncio.to_thread(
            subprocess.run,
            ["node", "e2e/operator-day.mjs"],
            cwd=UI,
            env=env,
            capture_output=True,
            text=True,
            timeout=360,
        )
        print(done.stdout)
        assert done.returncode == 0, (
            f"the operator's day failed (screenshots in {ARTIFACTS}):\n{done.stdout[-6000:]}\n"
            f"{done.stderr[-4000:]}\nservice log:\n{service.output()[-3000:]}"
        )
        shots = sorted(p.name for p in ARTIFACTS.glob("*.png"))
        assert len(shots) >= 10 and not any(s.startswith("FAILED") for s in shots), shots
    finally:
        service.stop()
