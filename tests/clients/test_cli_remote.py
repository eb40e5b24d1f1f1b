"""`valkyr executions …` and `valkyr dlq …` on the Python client, against a real service."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.support import service
from tests.engine_support import ROOT, insert_workflow, start, wait_for, wait_status
from tests.support import ADMIN_KEY

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]


async def valkyr(url: str, *args: str, key: str = ADMIN_KEY) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VALKYR_URL": url, "VALKYR_API_KEY": key}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "custom.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


async def test_operator_commands_over_the_api(db, db_url: str, tmp_path: Path) -> None:
    failing = await insert_workflow(
        db,
        [{"key": "charge", "module": "fail", "config": {"times": -1, "permanent": True}}],
        name="failing",
    )
    waiting = await insert_workflow(db, [{"key": "x", "module": "nobody.runs.this"}])
    async with service(db_url, tmp_path, VALKYR_RUNNERS=2) as svc:
        root = svc.url.removesuffix("/v1")
        dead = await start(db, failing, {"amount": 1})
        await wait_status(db, dead, "FAILED")
        live = await start(db, waiting)

        r = await valkyr(root, "executions", "list", "--status", "FAILED")
        assert r.returncode == 0, r.stderr
        assert [e["id"] for e in json.loads(r.stdout)["items"]] == [str(dead)]
        r = await valkyr(root, "executions", "get", str(dead), "--json")
        assert json.loads(r.stdout)["status"] == "FAILED"

        for action, status in (("pause", "PAUSED"), ("resume", "RUNNING"), ("cancel", "CANCELLED")):
            r = await valkyr(root, "executions", action, str(live))
            assert r.returncode == 0, r.stderr
            assert json.loads(r.stdout)["status"] == status
        assert await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", live) == (
            "CANCELLED"
        )

        r = await valkyr(root, "dlq", "list", "--status", "QUARANTINED", "--table")
        lines = r.stdout.splitlines()
        assert lines[0].split()[:3] == ["id", "status", "reason"] and len(lines) == 2
        entry = lines[1].split()[0]
        r = await valkyr(
            root, "dlq", "requeue", entry, "--inputs", '{"amount": 5}', "--notes", "fix"
        )
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["status"] == "REQUEUED"

        async def second_entry() -> str | None:
            return await db.fetchval(
                "SELECT id::text FROM dead_letters WHERE status = 'QUARANTINED'"
            )

        again = await wait_for(second_entry)
        run_inputs = await db.fetchval("SELECT inputs FROM runs ORDER BY created_at DESC LIMIT 1")
        assert run_inputs["amount"] == 5
        r = await valkyr(root, "dlq", "discard", again, "--notes", "customer left")
        assert json.loads(r.stdout)["status"] == "DISCARDED"
        assert await db.fetchval(
            "SELECT resolution_notes FROM dead_letters WHERE id = $1::uuid", again
        ) == ("customer left")

        # what goes wrong says so, on stderr, with a non-zero status
        r = await valkyr(root, "executions", "get", "00000000-0000-4000-8000-000000000000")
        assert r.returncode == 1 and r.stderr.startswith("404")
        r = await valkyr(root, "dlq", "list", key="vk_not_a_key")
        assert r.returncode == 1 and r.stderr.startswith("401")
        r = await valkyr(root, "dlq", "discard", again)  # --notes is required
        assert r.returncode == 2
    r = await valkyr(root, "executions", "list")  # the service is gone
    assert r.returncode == 2 and "no answer" in r.stderr
