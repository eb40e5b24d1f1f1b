"""The batch submit example of clients/python/README.md, run as written against
`valkyr serve`: 1,000 executions in one request, each result in the items' order."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path

import pytest

from tests.clients.support import service
from tests.engine_support import ROOT, insert_workflow
from tests.support import ADMIN_KEY

pytestmark = pytest.mark.asyncio


def readme_batch_example() -> str:
    text = (ROOT / "clients/python/README.md").read_text()
    section = text[text.index("## Many executions in one request") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run_example(code: str, url: str, workflow_id: str) -> str:
    from valkyr_client import Client

    out = io.StringIO()
    with Client(url, api_key=ADMIN_KEY) as client, contextlib.redirect_stdout(out):
        exec(code, {"client": client, "WORKFLOW_ID": workflow_id})  # noqa: S102 - the README's code
    return out.getvalue()


@pytest.mark.timeout(120)
async def test_the_readme_batch_example_starts_a_thousand_executions(
    db, db_url: str, tmp_path: Path
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    async with service(db_url, tmp_path) as svc:
        code = readme_batch_example()
        first = await asyncio.to_thread(run_example, code, svc.url, str(wf))
        again = await asyncio.to_thread(run_example, code, svc.url, str(wf))
    lines = first.splitlines()
    assert len(lines) == 1000
    assert lines[0].startswith("{'order': 0} ") and lines[-1].startswith("{'order': 999} ")
    assert first == again  # the same executions, found by their keys
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 1000
    keys = await db.fetchval(
        "SELECT count(*) FROM workflow_executions WHERE idempotency_key LIKE 'order-%'"
    )
    assert keys == 1000
