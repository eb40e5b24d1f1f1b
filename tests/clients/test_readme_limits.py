"""The priority and concurrency limit example of README.md, run as written with the
Python client against `valkyr serve`: the second execution of one key waits."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path

import pytest

from tests.clients.support import service
from tests.engine_support import ROOT
from tests.support import ADMIN_KEY

pytestmark = pytest.mark.asyncio


def readme_limits_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Priorities and concurrency limits") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run_example(code: str, url: str) -> str:
    from valkyr_client import Client

    out = io.StringIO()
    with Client(url, api_key=ADMIN_KEY) as client, contextlib.redirect_stdout(out):
        exec(code, {"client": client})  # noqa: S102 - the README's code
    return out.getvalue()


@pytest.mark.timeout(120)
async def test_the_readme_limits_example_runs_one_execution_per_customer(
    db, db_url: str, tmp_path: Path
) -> None:
    async with service(db_url, tmp_path) as svc:
        printed = await asyncio.to_thread(run_example, readme_limits_example(), svc.url)
    assert printed.splitlines() == [
        "RUNNING 8 c-42",
        "PENDING 5 c-42",
    ]
