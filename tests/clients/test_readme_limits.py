"""The priority and concurrency limit example of README.md, run as written with the
Python client against `valkyr serve`: the second execution of one key waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.clients.support import readme_python_example, run_readme_example, service

pytestmark = pytest.mark.asyncio


@pytest.mark.timeout(120)
async def test_the_readme_limits_example_runs_one_execution_per_customer(
    db, db_url: str, tmp_path: Path
) -> None:
    async with service(db_url, tmp_path) as svc:
        printed = await asyncio.to_thread(
            run_readme_example,
            readme_python_example("## Priorities and concurrency limits"),
            svc.url,
        )
    assert printed.splitlines() == [
        "RUNNING 8 c-42",
        "PENDING 5 c-42",
    ]
