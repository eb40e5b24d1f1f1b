"""SDK workers (Python and Node) as real OS processes against `valkyr serve` as a real
process on a free port, with runner keys created through the API."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.engine_support import ROOT, ServiceProcess, wait_for
from tests.support import ADMIN_KEY

WORKERS = Path(__file__).parent / "workers"
TS_CLIENT = ROOT / "clients" / "typescript"
LANGS = ("python", "node")


def node_or_skip() -> str:
    """The node binary, with the TypeScript client built; skipped only without Node."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node 20 is not installed: the Node worker is not tested here")
    if not (TS_CLIENT / "dist" / "worker.js").exists():
        if not (TS_CLIENT / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TS_CLIENT, check=True)
        subprocess.run(["npm", "run", "build"], cwd=TS_CLIENT, check=True, capture_output=True)
    return node


# fast enough that a test sees leases expire and get reclaimed in a few seconds
SERVICE_ENV = {
    "VALKYR_RUNNERS": "0",
    "VALKYR_REAPER_INTERVAL_SECONDS": "0.3",
    "VALKYR_POLL_SECONDS": "0.2",
}


@asynccontextmanager
async def service(db_url: str, log_dir: Path, **env: Any) -> AsyncIterator[ServiceProcess]:
    svc = ServiceProcess(db_url, log_dir, ADMIN_KEY, **{**SERVICE_ENV, **env})
    try:
        await svc.wait_ready()
        yield svc
    finally:
        svc.stop()


async def runner_key(svc: ServiceProcess, name: str) -> str:
    """A key of the runner role, created through the API as an operator would."""
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
        r = await c.post(f"{svc.url}/ApiKey", json={"name": name, "role": "runner"})
    assert r.status_code == 201, r.text
    return r.json()["secret"]


class SdkWorker:
    """tests/clients/workers/behaviour_worker.{py,mjs} (or any script) as a process."""

    def __init__(
        self,
        lang: str,
        svc: ServiceProcess,
        key: str,
        runner_id: str,
        log_dir: Path,
        script: Path | None = None,
        **env: Any,
    ) -> None:
        self.lang, self.runner_id = lang, runner_id
        self.log_path = log_dir / f"worker-{lang}-{runner_id.replace(':', '_')}.log"
        settings = {
            "VALKYR_URL": svc.url.removesuffix("/v1"),
            "VALKYR_API_KEY": key,
            "RUNNER_ID": runner_id,
            "PYTHONUNBUFFERED": "1",
        }
        settings.update({k: str(v) for k, v in env.items()})
        if lang == "python":
            command = [sys.executable, str(script or WORKERS / "behaviour_worker.py")]
        else:
            command = [
                node_or_skip(),
                str(_node_script(script or WORKERS / "behaviour_worker.mjs", log_dir)),
            ]
        self.log = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, env={**os.environ, **settings}, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    async def said(self, text: str, within: float = 20.0) -> None:
        async def check() -> bool:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.lang} worker exited:\n{self.output()}")
            return False

        await wait_for(check, within, 0.05)

    async def ready(self) -> None:
        await self.said(f"worker {self.runner_id} ready")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def _node_script(script: Path, log_dir: Path) -> Path:
    """A copy of `script` beside a node_modules/valkyr-client that is clients/typescript
    (as `npm install` of the package would lay it out)."""
    home = log_dir / "node-worker"
    link = home / "node_modules" / "valkyr-client"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(TS_CLIENT, target_is_directory=True)
    target = home / script.name
    shutil.copyfile(script, target)
    return target


async def start_executions(
    db: asyncpg.Pool, workflow_id: uuid.UUID, inputs: list[dict[str, Any]]
) -> list[uuid.UUID]:
    """One execution per inputs, in batches of 250 per transaction (start_many)."""
    from custom.executions.start import start_many

    ids: list[uuid.UUID] = []
    for i in range(0, len(inputs), 250):
        async with db.acquire() as conn:
            started = await start_many(conn, workflow_id, inputs[i : i + 250])
        ids += [s.execution["id"] for s in started]
    return ids


async def runs_of(db: asyncpg.Pool, execution_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT attempt, status, lease_owner, output, error FROM runs"
        " WHERE execution_id = $1 ORDER BY attempt",
        execution_id,
    )


def readme_python_example(heading: str, readme: str = "README.md") -> str:
    """The first ```python block after `heading` in a README of the repository."""
    text = (ROOT / readme).read_text()
    section = text[text.index(heading) :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run_readme_example(code: str, url: str, **names: Any) -> str:
    """Run a README's client code as written, with `client` (and `names`) defined;
    what it printed."""
    from valkyr_client import Client

    out = io.StringIO()
    with Client(url, api_key=ADMIN_KEY) as client, contextlib.redirect_stdout(out):
        exec(code, {"client": client, **names})  # noqa: S102 - the README's code
    return out.getvalue()
