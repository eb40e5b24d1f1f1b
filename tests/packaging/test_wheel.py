"""The product as a user installs it: a built wheel (not the checkout, not an editable
install) in a fresh venv migrates, serves and runs a runner against a throw-away
database, from a directory that is not the repository.

The wheel is built from a copy of the working tree (setuptools writes `build/` beside
the sources) and installed with the test venv's pip (`pip --python`), which reuses
pip's cache: about 15 s here once the dependencies are cached.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.engine_support import ROOT, free_port, wait_for
from tests.support import clone_database, drop_database

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
KEY = "vk_wheel_test_key_0000000000000000000000000000000"


def not_sources(folder: str, names: list[str]) -> set[str]:
    """What a working tree holds that a build must not see: caches, virtual envs, local
    data, and (at the top) what earlier builds left."""
    skip = {"__pycache__", "node_modules", ".pytest_cache", ".ruff_cache"}
    if Path(folder) == ROOT:
        skip |= {".git", ".venv", ".data", "build", "dist"}
    return {n for n in names if n in skip or n.endswith(".egg-info")}


@dataclass
class Installed:
    wheel: Path
    bin: Path
    home: Path  # the working directory of its commands: not the repository
    seconds: dict[str, float]


def run(
    cmd: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    seconds: dict[str, float] = {}
    started = time.monotonic()
    source = base / "src"
    shutil.copytree(ROOT, source, symlinks=True, ignore=not_sources)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "--no-deps", "-q", "-w", base / "dist", source])
    (wheel,) = (base / "dist").glob("valkyr-*.whl")
    seconds["build"] = time.monotonic() - started
    started = time.monotonic()
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    run([*pip, "--python", venv / "bin" / "python", "install", "-q", wheel])
    seconds["install"] = time.monotonic() - started
    print(f"\nwheel built in {seconds['build']:.1f} s, installed in {seconds['install']:.1f} s")
    home = base / "home"
    home.mkdir()
    yield Installed(wheel, venv / "bin", home, seconds)


def test_the_wheel_carries_what_the_service_reads_at_run_time(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "custom/resources/openapi.yaml" in names
    assert "custom/resources/migrations/env.py" in names
    versions = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    shipped = {n.rsplit("/", 1)[1] for n in names if "/migrations/versions/" in n}
    assert shipped == versions
    sql = {p.name for p in (ROOT / "custom" / "sql").glob("*.sql")}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("custom/sql/")} >= sql
    assert not [n for n in names if n.startswith("templates/")]  # the generator stays home
    # the same bytes as the sources the links point at
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert (
            wheel.read("custom/resources/openapi.yaml") == (ROOT / "spec/openapi.yaml").read_bytes()
        )


@pytest_asyncio.fixture
async def empty_database(pg_server: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even the schema: `valkyr migrate` makes it."""
    url = await clone_database(pg_server, template=None)
    yield url
    await drop_database(pg_server, url)


def environment(installed: Installed, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VALKYR_", "OTEL_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        PATH=f"{installed.bin}{os.pathsep}{env.get('PATH', '')}",
        DATABASE_URL=database_url,
        VALKYR_DATA_DIR=str(installed.home / "data"),
        VALKYR_BOOTSTRAP_KEY=KEY,
        **extra,
    )
    return env


def start(installed: Installed, command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(installed.home / f"{command}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [installed.bin / "valkyr", command],
        cwd=installed.home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode


@pytest.mark.asyncio
async def test_the_installed_wheel_migrates_serves_and_runs_a_runner(
    installed: Installed, empty_database: str
) -> None:
    python = installed.bin / "python"
    where = run([python, "-c", "import custom; print(custom.__file__)"], cwd=installed.home)
    assert where.stdout.startswith(str(installed.bin.parent)), where.stdout  # not the checkout

    env = environment(installed, empty_database)
    run([installed.bin / "valkyr", "migrate"], cwd=installed.home, env=env)
    head = ScriptDirectory.from_config(
        Config(str(ROOT / "alembic.ini"))  # the repository's own idea of the latest revision
    ).get_current_head()
    conn = await asyncpg.connect(empty_database)
    try:
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == head
    finally:
        await conn.close()

    port = free_port()
    service = start(
        installed,
        "serve",
        environment(installed, empty_database, PORT=str(port), VALKYR_RUNNERS="0"),
    )
    runner = start(installed, "runner", environment(installed, empty_database))
    try:
        base = f"http://127.0.0.1:{port}/v1"
        async with httpx.AsyncClient(base_url=base, timeout=10) as api:

            async def healthy() -> bool:
                assert service.poll() is None, (installed.home / "serve.log").read_text()
                try:
                    return (await api.get("/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_for(healthy, 60, 0.1)
            assert (await api.get("/Workflow")).status_code == 401
            api.headers["X-API-Key"] = KEY
            assert (await api.get("/Workflow")).status_code == 200
            assert (await api.get("/openapi.json")).json()["info"]["title"]
            steps = [
                {"key": "a", "module": "noop"},
                {"key": "b", "module": "noop", "dependsOn": ["a"]},
            ]
            r = await api.post("/Workflow", json={"name": "from-the-wheel", "steps": steps})
            assert r.status_code == 201, r.text
            r = await api.post("/WorkflowExecution", json={"workflowId": r.json()["id"]})
            execution = r.json()["id"]

            async def completed() -> bool:
                assert runner.poll() is None, (installed.home / "runner.log").read_text()
                return (await api.get(f"/WorkflowExecution/{execution}")).json()[
                    "status"
                ] == "COMPLETED"

            # no runner slots in the service: the separate `valkyr runner` ran both steps
            await wait_for(completed, 30, 0.1)
    finally:
        assert stop(runner) == 0, (installed.home / "runner.log").read_text()
        stop(service)
