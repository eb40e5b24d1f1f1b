"""The README's rate limit example, run as written with the Python client against
`valkyr serve`: the bucket is created full, its rate changed, and listed."""

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


def readme_rate_limit_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Rate limits") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run_example(code: str, url: str) -> str:
    from valkyr_client import Client

    out = io.StringIO()
    with Client(url, api_key=ADMIN_KEY) as client, contextlib.redirect_stdout(out):
        exec(code, {"client": client})  # noqa: S102 - the README's code
    return out.getvalue()


@pytest.mark.timeout(120)
async def test_the_readme_rate_limit_example_creates_changes_and_lists(
    db, db_url: str, tmp_path: Path
) -> None:
    async with service(db_url, tmp_path) as svc:
        out = await asyncio.to_thread(run_example, readme_rate_limit_example(), svc.url)
    assert out.split() == ["payments-api", "20.0", "10", "10"]
    row = await db.fetchrow("SELECT * FROM rate_limits")
    assert (row["key"], row["per_second"], row["burst"]) == ("payments-api", 20, 10)
