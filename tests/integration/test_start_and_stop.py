"""`valkyr serve` on the embedded PostgreSQL, as a person starts it (`make run`): a few
lines on a terminal, JSON lines elsewhere, and on Ctrl+C or SIGTERM the PostgreSQL it
started is stopped (uvicorn re-raises SIGTERM after its shutdown, so exit hooks never run)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.engine_support import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

# what a start never shows: alembic's plugin list and migration chatter, initdb and
# pg_ctl output, connexion's import-time warning
NOISE = (
    "alembic",
    "setup plugin",
    "initdb",
    "Running commandline",
    "pg_ctl",
    "StarletteDeprecationWarning",
)
# on a terminal not uvicorn's own start lines either (the service says where it listens)
TERMINAL_NOISE = (*NOISE, "Uvicorn running", "Waiting for application", "Started server")


class Serve:
    """`python -m custom.cli serve` with no DATABASE_URL, its output captured from a
    terminal (a pty) or a pipe."""

    def __init__(self, data_dir: Path, *, terminal: bool) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.chunks: list[bytes] = []
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update(
            VALKYR_DATA_DIR=str(data_dir),
            HOST="127.0.0.1",
            PORT=str(self.port),
            VALKYR_RUNNERS="1",
            VALKYR_SHUTDOWN_GRACE_SECONDS="1",
        )
        env.pop("VALKYR_LOG_FORMAT", None)
        if terminal:
            reader, writer = pty.openpty()
        else:
            reader, writer = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "custom.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=writer,
        )
        os.close(writer)
        self.reader = threading.Thread(target=self._read, args=(reader,), daemon=True)
        self.reader.start()

    def _read(self, fd: int) -> None:
        with contextlib.suppress(OSError):  # EIO: the terminal's other side closed
            while chunk := os.read(fd, 65536):
                self.chunks.append(chunk)
        os.close(fd)

    def output(self) -> str:
        return b"".join(self.chunks).decode(errors="replace").replace("\r\n", "\n")

    def wait_ready(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited:\n{self.output()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}/v1/health", timeout=2).is_success:
                    return
            time.sleep(0.1)
        raise AssertionError(f"serve not ready in {within}s:\n{self.output()}")

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(60)
        self.reader.join(10)
        return code


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short path (the server's socket lives in it); a server a failed test left
    running is stopped (SIGINT: PostgreSQL's fast shutdown)."""
    path = Path(tempfile.mkdtemp(prefix="vks", dir="/tmp"))
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = postmaster_pid(path)
            os.kill(pid, signal.SIGINT)
            wait_gone(pid)
        shutil.rmtree(path, ignore_errors=True)


def test_on_a_terminal_a_few_lines_and_ctrl_c_stops_the_embedded_postgres(
    data_dir: Path,
) -> None:
    serve = Serve(data_dir, terminal=True)
    serve.wait_ready()
    postmaster = postmaster_pid(data_dir)
    time.sleep(0.3)  # the announcement follows startup by a moment
    started = serve.output()
    base = f"http://127.0.0.1:{serve.port}"
    lines = [line for line in started.splitlines() if line.strip()]
    for wanted in (
        f"embedded PostgreSQL started in {data_dir / 'pg'}",
        "database schema is at the latest revision (",
        f"listening on {base}",
        f"console: {base}/",
        f"Swagger UI: {base}/v1/ui/",
    ):
        assert [line for line in lines if line.startswith(wanted)], started
    assert len(lines) <= 10, started
    assert not [noise for noise in TERMINAL_NOISE if noise in started], started

    serve.stop(signal.SIGINT)  # Ctrl+C
    assert wait_gone(postmaster), "the embedded PostgreSQL outlived the service"
    stopped = serve.output()[len(started) :]
    assert f"embedded PostgreSQL stopped (data kept in {data_dir / 'pg'})" in stopped
    assert "Traceback" not in stopped
    assert not (data_dir / "pg" / "postmaster.pid").exists()


def test_off_a_terminal_json_lines_and_sigterm_stops_the_embedded_postgres(
    data_dir: Path,
) -> None:
    serve = Serve(data_dir, terminal=False)
    serve.wait_ready()
    postmaster = postmaster_pid(data_dir)
    assert serve.stop(signal.SIGTERM) == -signal.SIGTERM
    assert wait_gone(postmaster), "the embedded PostgreSQL outlived the service"
    out = serve.output()
    assert not [noise for noise in NOISE if noise in out], out
    records = []
    for line in out.splitlines():
        if line.startswith("development admin key:"):
            continue  # printed beside its log record for a person (custom/auth/bootstrap.py)
        records.append(json.loads(line))  # every other line is one JSON object
    messages = [r["message"] for r in records]
    assert f"listening on http://127.0.0.1:{serve.port}" in messages
    assert f"embedded PostgreSQL stopped (data kept in {data_dir / 'pg'})" in messages
    assert not [r for r in records if r["logger"].startswith(("alembic", "embedded_postgres"))]


def test_a_postgres_left_by_a_killed_service_is_stopped_by_the_next_one(
    data_dir: Path,
) -> None:
    first = Serve(data_dir, terminal=False)
    first.wait_ready()
    postmaster = postmaster_pid(data_dir)
    first.stop(signal.SIGKILL)  # no shutdown at all: the server stays, nobody to stop it
    assert alive(postmaster)

    second = Serve(data_dir, terminal=False)
    second.wait_ready()
    assert postmaster_pid(data_dir) == postmaster  # it joined the server left running
    assert "joined, already running" in second.output()
    second.stop(signal.SIGTERM)
    assert wait_gone(postmaster), "the left-over PostgreSQL is still running"
    assert "embedded PostgreSQL stopped" in second.output()
