"""One database stack per process: the service runs on one asyncpg pool.

Generated CRUD (list, get, create, update, delete), the hot path and the engine all
use it; SQLAlchemy (with SQLModel and Alembic) is loaded only to migrate. Checked in
a process of its own, since this one loads the SQLModel tables for its fixtures.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import ADMIN_KEY

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]

SERVICE = textwrap.dedent(
    """
    import asyncio, json, os, sys

    from custom.app import create_app
    from custom.settings import Settings
    from tests.support import client_for, lifespan

    async def main():
        settings = Settings(database_url=os.environ["DB_URL"], migrate=False, runners=1,
                            bootstrap_key=os.environ["KEY"], retention_days=0)
        out = {}
        async with lifespan(create_app(settings)) as served, client_for(served) as c:
            wf = await c.post("/Workflow", json={"name": "w", "steps": [
                {"key": "a", "module": "noop"}]})
            wf_id = wf.json()["id"]
            ex = await c.post("/WorkflowExecution", json={"workflowId": wf_id})
            out["statuses"] = [
                wf.status_code,
                ex.status_code,
                (await c.get(f"/Workflow/{wf_id}")).status_code,
                (await c.get("/Workflow", params={"name": "w"})).status_code,
                (await c.put(f"/Workflow/{wf_id}", json={"name": "w2", "steps": [
                    {"key": "a", "module": "noop"}]})).status_code,
                (await c.get("/Run")).status_code,
                (await c.get("/CircuitBreakerState")).status_code,
                (await c.get("/ApiKey")).status_code,
            ]
            out["state"] = sorted(k for k, v in served.state.items()
                                  if type(v).__module__.startswith(("asyncpg", "sqlalchemy")))
        out["loaded"] = sorted(
            m for m in ("sqlalchemy", "sqlmodel", "alembic", "generated.tables")
            if m in sys.modules)
        print(json.dumps(out))

    asyncio.run(main())
    """
)


async def test_the_service_runs_on_one_asyncpg_pool_and_never_loads_sqlalchemy(
    db_url: str,
) -> None:
    env = {**os.environ, "DB_URL": db_url, "KEY": ADMIN_KEY, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-W", "ignore", "-c", SERVICE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["statuses"] == [201, 201, 200, 200, 200, 200, 200, 200]
    assert out["state"] == ["pool"]  # the one pool; no engine, no sessionmaker
    assert out["loaded"] == []
