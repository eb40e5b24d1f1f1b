"""The README's rate limit example, run as written with the Python client against
`valkyr serve`: the bucket is created full, its rate changed, and listed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.clients.support import readme_python_example, run_readme_example, service

pytestmark = pytest.mark.asyncio


@pytest.mark.timeout(120)
async def test_the_readme_rate_limit_example_creates_changes_and_lists(
    db, db_url: str, tmp_path: Path
) -> None:
    async with service(db_url, tmp_path) as svc:
        out = await asyncio.to_thread(
            run_readme_example, readme_python_example("## Rate limits"), svc.url
        )
    assert out.split() == ["payments-api", "20.0", "10", "10"]
    row = await db.fetchrow("SELECT * FROM rate_limits")
    assert (row["key"], row["per_second"], row["burst"]) == ("payments-api", 20, 10)
