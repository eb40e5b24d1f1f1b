"""The batch submit example of clients/python/README.md, run as written against
`valkyr serve`: 1,000 executions in one request, each result in the items' order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.clients.support import readme_python_example, run_readme_example, service
from tests.engine_support import insert_workflow

pytestmark = pytest.mark.asyncio


@pytest.mark.timeout(120)
async def test_the_readme_batch_example_starts_a_thousand_executions(
    db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    async with service(db_url, tmp_path) as svc:
        code = readme_python_example(
            "## Many executions in one request", "clients/python/README.md"
        )
        first = await asyncio.to_thread(run_readme_example, code, svc.url, WORKFLOW_ID=str(wf))
        again = await asyncio.to_thread(run_readme_example, code, svc.url, WORKFLOW_ID=str(wf))
    lines = first.splitlines()
    assert len(lines) == 1000
    assert lines[0].startswith("{'order': 0} ") and lines[-1].startswith("{'order': 999} ")
    assert first == again  # the same executions, found by their keys
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 1000
    keys = await db.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE idempotency_key LIKE 'order-%'"
    )
    assert keys == 1000
