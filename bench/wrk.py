"""`api-wrk`: the service's API measured by wrk, out of process, so the figures are the
server's and not a Python client's (the `api` scenario's httpx shares the cores).

The service runs without runners (only the API counts). wrk drives four requests, each
at a few connection counts: GET /health (connexion's floor: the pipeline plus a
`SELECT 1`), POST /WorkflowExecution (a new execution every request), GET
/WorkflowExecution/{id} (ids made beforehand) and POST /WorkflowExecution/batch (1,000
new executions a request). Each phase reports req/s, p50/p95/p99 (from wrk's own
histogram, via the Lua `done` hook) and the CPU the server's processes spent per request
(utime + stime from /proc, before and after) and the database's.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.api import serve
from bench.pg import PgCpu, Server

BATCH_ITEMS = 1000
WRK_THREADS = 2  # the machine's cores; wrk's event loop per thread is cheap
WRK_TIMEOUT = "30s"  # a 1,000-item batch queued behind others takes seconds, not an error

# Shared by every script: the figures the harness parses, printed once at the end.
DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "VALKYR %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read + e.write, e.status, e.timeout))
end
"""

# A JSON POST. Each thread numbers its requests; `tid` and the run's nonce keep bodies
# unique, so every POST starts a new execution (a repeat would be a cheaper duplicate).
POSTING = """
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local n = 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer {key}"
wrk.headers["Content-Type"] = "application/json"
"""

SCRIPTS = {
    "get": """
wrk.headers["Authorization"] = "Bearer {key}"
""",
    "get_ids": """
wrk.headers["Authorization"] = "Bearer {key}"
local ids = {{{ids}}}
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", "{base_path}/WorkflowExecution/" .. ids[i % #ids + 1])
end
""",
    "post": POSTING
    + """
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(
    '{{"workflowId":"{workflow}","inputs":{{"r":"{nonce}","t":%d,"n":%d}}}}', tid, n))
end
""",
    "batch": POSTING
    + """
function request()
  n = n + 1
  local items = {{}}
  for j = 1, {items} do
    items[j] = string.format(
      '{{"workflowId":"{workflow}","inputs":{{"r":"{nonce}","t":%d,"n":%d,"j":%d}}}}', tid, n, j)
  end
  return wrk.format(nil, nil, nil, '{{"items":[' .. table.concat(items, ",") .. ']}}')
end
""",
}

# (name, script, path, connection counts, executions per request)
PHASES: tuple[tuple[str, str, str, tuple[int, ...], int], ...] = (
    ("GET /health", "get", "/health", (32, 256), 0),
    ("POST /WorkflowExecution", "post", "/WorkflowExecution", (32, 256), 1),
    ("GET /WorkflowExecution/{id}", "get_ids", "/WorkflowExecution", (32, 256), 0),
    # 256 concurrent 1,000-item batches would queue on the pool: it measures waiting
    ("POST /WorkflowExecution/batch", "batch", "/WorkflowExecution/batch", (8, 32), BATCH_ITEMS),
)


def chosen_phases(wanted: list[str] | None) -> set[str]:
    """The phases named exactly, else those whose name contains a word; all without."""
    names = [p[0] for p in PHASES]
    if not wanted:
        return set(names)
    return {n for n in names if n in wanted} or {n for n in names if any(w in n for w in wanted)}


def wrk_binary() -> str | None:
    return shutil.which("wrk")


async def api_wrk(server: Server, opts: dict[str, Any]) -> dict[str, Any]:
    wrk = wrk_binary()
    if wrk is None:  # `make bench` runs every scenario: say why this one has no figures
        return {"skipped": "wrk is not installed (apt-get install -y wrk)"}
    workers = str(opts.get("web_workers", 1))
    async with serve(server, "apiwrk", {**opts, "api_runners": 0}, VALKYR_WEB_WORKERS=workers) as s:
        workflow, ids = await _prepare(s.base, s.headers)
        base_path = "/" + s.base.split("/", 3)[3]
        values = {
            "key": s.headers["Authorization"].removeprefix("Bearer "),
            "workflow": workflow,
            "ids": ",".join(f'"{i}"' for i in ids),
            "base_path": base_path,
            "items": BATCH_ITEMS,
        }
        pg_cpu = PgCpu(server.postmaster_pid())
        results: dict[str, Any] = {"startup_seconds": s.startup_seconds}
        hooks = opts.get("hooks") or {}
        if "server_started" in hooks:  # bench.profile: attach a profiler to the server
            await hooks["server_started"](s.proc.pid)
        chosen = chosen_phases(opts.get("wrk_phases"))  # bench.profile: a few of them
        with tempfile.TemporaryDirectory(prefix="valkyr-wrk-") as tmp:
            for name, script, path, connections, per_request in PHASES:
                if name not in chosen:
                    continue
                results[name] = {}
                for conns in connections:
                    lua = Path(tmp) / f"{script}-{conns}.lua"
                    load = _Load(wrk, lua, SCRIPTS[script], values, s.base + path, conns)
                    # a short warm-up: connections, prepared statements, caches
                    await load.run(min(1.0, opts["api_seconds"] / 5))
                    c0 = s.cpu_seconds()
                    pg_cpu.start()
                    res = await load.run(opts["api_seconds"])
                    server_cpu = s.cpu_seconds() - c0
                    db_cpu = pg_cpu.stop()
                    n = max(res["requests"], 1)
                    res["server_cpu_ms_per_request"] = round(1000 * server_cpu / n, 3)
                    res["db_cpu_ms_per_request"] = (
                        None if db_cpu is None else round(1000 * db_cpu / n, 3)
                    )
                    if per_request:
                        res["executions_per_s"] = round(res["requests_per_s"] * per_request, 1)
                    results[name][str(conns)] = res
        if "server_done" in hooks:
            await hooks["server_done"]()
        results["settings"] = {
            "seconds_each": opts["api_seconds"],
            "web_workers": int(workers),
            "VALKYR_RUNNERS": 0,
            "load": f"wrk -t{WRK_THREADS} --timeout {WRK_TIMEOUT}, Lua scripts, out of process",
            "batch_items": BATCH_ITEMS,
        }
        return results


async def _prepare(base: str, headers: dict[str, str]) -> tuple[str, list[str]]:
    """A one-step workflow and 1,000 executions of it for the GETs to read."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as c:
        resp = await c.post(
            "/Workflow", json={"name": "bench-wrk", "steps": [{"key": "p", "module": "noop"}]}
        )
        resp.raise_for_status()
        workflow = resp.json()["id"]
        items = [{"workflowId": workflow, "inputs": {"read": i}} for i in range(1000)]
        resp = await c.post("/WorkflowExecution/batch", json={"items": items})
        resp.raise_for_status()
        ids = [r["execution"]["id"] for r in resp.json()["results"]]
    return workflow, ids


@dataclass
class _Load:
    """One wrk command line: a script template, a URL, a connection count."""

    wrk: str
    lua: Path
    template: str
    values: dict[str, Any]
    url: str
    connections: int

    async def run(self, seconds: float) -> dict[str, Any]:
        # a fresh nonce every run: a POST body sent again would be a (cheaper) duplicate
        text = self.template.format(**self.values, nonce=secrets.token_hex(6))
        self.lua.write_text(text + DONE)
        proc = await asyncio.create_subprocess_exec(
            self.wrk,
            f"-t{min(WRK_THREADS, self.connections)}",
            f"-c{self.connections}",
            f"-d{max(seconds, 1.0):g}s",
            f"--timeout={WRK_TIMEOUT}",
            "-s",
            str(self.lua),
            self.url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        return parse_wrk(out.decode(errors="replace"))


def parse_wrk(text: str) -> dict[str, Any]:
    """The `done` hook's line (microseconds) and wrk's non-2xx count."""
    line = next((ln for ln in text.splitlines() if ln.startswith("VALKYR ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {text[-800:]}")
    req, dur, p50, p95, p99, top, connect, rw, status, timeout = map(int, line.split()[1:])
    non2xx = 0
    for ln in text.splitlines():
        if ln.strip().startswith("Non-2xx or 3xx responses:"):
            non2xx = int(ln.split(":")[1])
    return {
        "requests": req,
        "requests_per_s": round(req / (dur / 1e6), 1) if dur else 0.0,
        "latency": {
            "p50_ms": p50 / 1000,
            "p95_ms": p95 / 1000,
            "p99_ms": p99 / 1000,
            "max_ms": top / 1000,
        },
        "non_2xx": non2xx,
        "errors": {"connect": connect, "read_write": rw, "status": status, "timeout": timeout},
    }
