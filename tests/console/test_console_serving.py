"""The service serves the console at `/` beside the API at `/v1`: a build's files, its
index.html for every route of the app (SPA fallback), and without a build a page that
says how to make one. No browser needed."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.conftest import make_settings
from tests.support import ADMIN_KEY, lifespan

pytestmark = pytest.mark.asyncio

INDEX = "<!doctype html><title>console</title><script src='/assets/app-1a2b.js'></script>"
SCRIPT = "console.log('the console');" * 200  # big enough to be compressed


def fake_build(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b.js").write_text(SCRIPT)
    (root / "secret.txt").write_text("outside the build")
    return dist


@pytest_asyncio.fixture
async def served(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    from custom.app import create_app

    dist = tmp_path / "dist"
    app = create_app(make_settings(db_url, console_dir=dist))
    async with lifespan(app) as running:
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, tmp_path


async def test_without_a_build_the_console_says_how_to_build_it(served: Any) -> None:
    client, _ = served
    for path in ("/", "/executions/123", "/dead-letters"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert "The operator console is not built" in r.text and "make console" in r.text
    r = await client.get("/v1/health")  # the API serves all the same
    assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_the_build_is_served_with_the_app_routes_falling_back_to_index(served: Any) -> None:
    client, root = served
    fake_build(root)  # built while the service runs: no restart needed
    for path in (
        "/",
        "/executions",
        "/executions/5f2c8a1e-0000-4000-8000-000000000000",
        "/x/y?z=1",
    ):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.text == INDEX
        assert r.headers["cache-control"] == "no-cache"
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
    r = await client.get("/assets/app-1a2b.js", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.text == SCRIPT
    assert r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"]
    raw = await client.get("/assets/app-1a2b.js", headers={"accept-encoding": "identity"})
    assert raw.content == SCRIPT.encode() and int(raw.headers["content-length"]) == len(SCRIPT)
    assert len(gzip.compress(SCRIPT.encode())) < len(SCRIPT)
    head = await client.head("/")
    assert head.status_code == 200 and head.content == b""


async def test_missing_assets_are_404_and_nothing_outside_the_build_is_served(served: Any) -> None:
    client, root = served
    fake_build(root)
    for path in (
        "/assets/gone-0000.js",
        "/assets/%2e%2e/secret.txt",
        "/assets/sub/dir.js",
        "/assets/",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path  # a missing asset is not answered with the index
        assert "outside the build" not in r.text
    r = await client.get("/assets/../secret.txt")  # the client normalises it to /secret.txt
    assert r.text == INDEX


async def test_the_api_keeps_v1_and_its_own_answers(served: Any) -> None:
    client, root = served
    fake_build(root)
    r = await client.get("/v1/Workflow")
    assert r.status_code == 401  # the API, not the console
    r = await client.get("/v1/Workflow", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get("/v1/no-such-thing", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = await client.post("/executions", json={})
    assert r.status_code == 404  # the console only answers GET and HEAD
    r = await client.get("/v1")
    assert r.text != INDEX
