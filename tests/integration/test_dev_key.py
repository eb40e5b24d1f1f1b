"""The development key of `make run` (issue 11, item 6), with real `valkyr serve` processes
on the embedded PostgreSQL of a data dir of their own.

Printed once, when it is made, to the terminal only (never to the JSON log); not
made beside VALKYR_BOOTSTRAP_KEY; a revoked one stays revoked across restarts.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.engine_support import ServiceProcess

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(240)]
SECRET = re.compile(r"vk_[A-Za-z0-9_-]{20,}")


@contextlib.contextmanager
def data_dir() -> Iterator[Path]:
    """A short path (the embedded server's socket lives below it), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="vkd", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class Terminal:
    """A pseudo-terminal for the process's stdout: what a person at `make run` sees."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        os.set_blocking(self.master, False)
        self.seen = b""

    def read(self) -> str:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            self.seen += chunk
        return self.seen.decode(errors="replace")

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


async def serve(
    directory: Path, tmp_path: Path, stdout: object, key: str | None = None
) -> ServiceProcess:
    server = ServiceProcess(
        None,  # the embedded server of the data dir, as `make run`
        tmp_path,
        key,
        stdout=stdout,
        VALKYR_DATA_DIR=directory,
        VALKYR_RUNNERS=0,
        VALKYR_LOG_FORMAT="json",
    )
    await server.wait_ready(120)
    return server


async def call(server: ServiceProcess, method: str, path: str, key: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        return await client.request(method, path, headers={"X-API-Key": key})


async def status(server: ServiceProcess, key: str) -> int:
    return (await call(server, "GET", "/ApiKey", key)).status_code


async def test_shown_once_on_a_terminal_never_logged_and_revocation_holds(tmp_path) -> None:
    with data_dir() as directory:
        terminal = Terminal()
        try:
            first = await serve(directory, tmp_path, terminal.slave)
            try:
                shown = terminal.read()
                secrets = SECRET.findall(shown)
                assert len(secrets) == 1, shown
                secret = secrets[0]
                assert (directory / "dev-admin-key").read_text().strip() == secret
                assert (directory / "dev-admin-key").stat().st_mode & 0o777 == 0o600
                assert await status(first, secret) == 200
                keys = (await call(first, "GET", "/ApiKey", secret)).json()["items"]
                (dev,) = [k for k in keys if k["name"] == "dev-admin"]
                r = await call(first, "DELETE", f"/ApiKey/{dev['id']}", secret)
                assert r.status_code == 200, r.text
                assert await status(first, secret) == 401
            finally:
                first.stop()
            assert secret not in first.output()
            assert "development admin key" not in first.output()

            again = await serve(directory, tmp_path, terminal.slave)
            try:
                assert terminal.read().count(secret) == 1  # the first start's line only
                assert SECRET.findall(terminal.read()) == [secret]
                assert await status(again, secret) == 401  # still revoked
            finally:
                again.stop()
            assert secret not in again.output()
            assert "revoked" in again.output()
        finally:
            terminal.close()


async def test_none_beside_a_bootstrap_key_and_not_shown_off_a_terminal(tmp_path) -> None:
    bootstrap = "vk_bootstrap_for_this_test_only_000000000000"
    with data_dir() as directory:
        out = tmp_path / "stdout.txt"
        with out.open("w") as stdout:
            with_bootstrap = await serve(directory, tmp_path, stdout, bootstrap)
            try:
                keys = (await call(with_bootstrap, "GET", "/ApiKey", bootstrap)).json()["items"]
                assert [k["name"] for k in keys] == ["bootstrap-admin"]
                assert not (directory / "dev-admin-key").exists()
            finally:
                with_bootstrap.stop()

            without = await serve(directory, tmp_path, stdout)  # stdout is a file here
            try:
                secret = (directory / "dev-admin-key").read_text().strip()
                assert await status(without, secret) == 200
            finally:
                without.stop()
        assert SECRET.findall(out.read_text()) == []  # nothing of it on a stdout that is kept
        logged = without.output()
        assert "development admin key created, kept in" in logged
        assert str(directory / "dev-admin-key") in logged
        assert secret not in logged and bootstrap not in with_bootstrap.output()
