"""CRUD reads and writes in-process: the app called as an ASGI callable, no HTTP client.

    python -m bench.crud [--calls 500] [--database-url URL] [--json]

Starts an embedded PostgreSQL (or uses --database-url), a migrated database, the app
without runners, and sends each request `--calls` times one after another. Reports
p50 / p95 latency and the CPU this process spent per request: the app's whole request
path (guard, connexion, handler, driver, serializer) without a client's cost, since
no client is involved. The database server's CPU is not counted. Then the CPU of the
response serializers alone (a row to the resource's model, dumped once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from bench.pg import Server

KEY = "vk_bench_crud_admin_key_000000000000000000000000"
Call = Callable[[int], Awaitable[tuple[int, bytes]]]


class Asgi:
    """Requests straight into the ASGI app, with the lifespan state a server would pass."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self._task = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._to_app.put({"type": "lifespan.startup"})
        started = await asyncio.wait_for(self._from_app.get(), 60)
        if started["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"app failed to start: {started}")

    async def stop(self) -> None:
        await self._to_app.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self._from_app.get(), 60)
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)

    async def request(
        self, method: str, path: str, body: Any = None, query: str = ""
    ) -> tuple[int, bytes]:
        raw = b"" if body is None else json.dumps(body).encode()
        headers = [(b"host", b"bench"), (b"authorization", f"Bearer {KEY}".encode())]
        if body is not None:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(raw)),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 80),
            "state": dict(self.state),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def measure(name: str, call: Call, calls: int) -> dict[str, Any]:
    for i in range(min(50, calls)):  # warm-up: prepared statements, caches, imports
        await call(-1 - i)
    lat: list[float] = []
    cpu0 = time.process_time()
    for i in range(calls):
        t0 = time.perf_counter()
        status, body = await call(i)
        lat.append(time.perf_counter() - t0)
        if status >= 300:
            raise RuntimeError(f"{name}: {status} {body[:300]!r}")
    cpu = time.process_time() - cpu0
    lat.sort()
    return {
        "request": name,
        "calls": calls,
        "p50_ms": round(statistics.median(lat) * 1000, 3),
        "p95_ms": round(lat[int(len(lat) * 0.95) - 1] * 1000, 3),
        "cpu_ms_per_request": round(cpu / calls * 1000, 3),
    }


WORKFLOW = {
    "name": "bench-crud",
    "steps": [
        {"key": "a", "module": "noop", "inputs": {"x": "${inputs.x}"}},
        {"key": "b", "module": "noop", "dependsOn": ["a"]},
    ],
}


async def scenarios(asgi: Asgi, calls: int) -> list[dict[str, Any]]:
    status, body = await asgi.request("POST", "/v1/Workflow", WORKFLOW)
    assert status == 201, body
    wf = json.loads(body)
    status, body = await asgi.request(
        "POST", "/v1/WorkflowExecution", {"workflowId": wf["id"], "inputs": {"x": 1}}
    )
    assert status == 201, body
    execution = json.loads(body)
    status, body = await asgi.request("GET", "/v1/Run", query=f"executionId={execution['id']}")
    run = json.loads(body)["items"][0]
    for i in range(60):  # a page's worth of executions to list
        await asgi.request(
            "POST", "/v1/WorkflowExecution", {"workflowId": wf["id"], "inputs": {"x": i}}
        )
    wf_path = f"/v1/Workflow/{wf['id']}"
    out = [
        await measure("GET /Workflow/{id}", lambda i: asgi.request("GET", wf_path), calls),
        await measure(
            "GET /WorkflowExecution/{id}",
            lambda i: asgi.request("GET", f"/v1/WorkflowExecution/{execution['id']}"),
            calls,
        ),
        await measure(
            "GET /Run/{id}", lambda i: asgi.request("GET", f"/v1/Run/{run['id']}"), calls
        ),
        await measure(
            "GET /WorkflowExecution?limit=50",
            lambda i: asgi.request("GET", "/v1/WorkflowExecution", query="limit=50"),
            calls,
        ),
        await measure(
            "GET /Workflow?limit=50",
            lambda i: asgi.request("GET", "/v1/Workflow", query="limit=50"),
            calls,
        ),
        await measure(
            "PUT /Workflow/{id}", lambda i: asgi.request("PUT", wf_path, WORKFLOW), calls
        ),
        await measure(
            "POST /WorkflowExecution",
            lambda i: asgi.request(
                "POST",
                "/v1/WorkflowExecution",
                {"workflowId": wf["id"], "inputs": {"n": str(uuid.uuid4())}},
            ),
            calls,
        ),
    ]
    return out + await serializer_costs(asgi, wf["id"], execution["id"], run["id"])


def cpu_per_call(fn: Callable[[], Any], calls: int = 2000) -> float:
    """CPU microseconds of one call of `fn`."""
    for _ in range(100):
        fn()
    t0 = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - t0) / calls * 1e6


async def serializer_costs(
    asgi: Asgi, workflow_id: str, execution_id: str, run_id: str
) -> list[dict[str, Any]]:
    """What building a response's model and dumping it costs: the serializer of the
    resource from a database row, then `ok()` (one JSON dump, by alias)."""
    from custom.api import serializers
    from custom.sql import q
    from generated.runtime import listing, ok

    pool = asgi.state["pool"]
    wid, eid, rid = uuid.UUID(workflow_id), uuid.UUID(execution_id), uuid.UUID(run_id)
    execution = await pool.fetchrow(q("execution_get_for_api"), eid)
    run = await pool.fetchrow(q("run_get"), rid)
    wf = await pool.fetchrow("SELECT * FROM workflows WHERE id = $1", wid)
    page = await pool.fetch("SELECT * FROM workflow_executions ORDER BY created_at LIMIT 50")
    shapes = {
        "serialize+dump WorkflowExecution": lambda: ok(serializers.workflow_execution(execution)),
        "serialize+dump Run": lambda: ok(serializers.run(run)),
        "serialize+dump Workflow (2 steps)": lambda: ok(serializers.workflow(wf)),
        "serialize+dump 50 executions": lambda: ok(
            listing([serializers.workflow_execution(r) for r in page], None)
        ),
    }
    return [
        {"request": name, "cpu_ms_per_request": round(cpu_per_call(fn) / 1000, 4)}
        for name, fn in shapes.items()
    ]


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from custom.app import create_app
    from custom.observability.logging import configure_logging
    from custom.settings import Settings

    configure_logging("WARNING")
    server = Server.start(args.database_url)
    try:
        await server.create_template()
        db_url = await server.fresh("crud")
        settings = Settings(
            database_url=db_url,
            migrate=False,
            runners=0,
            bootstrap_key=KEY,
            db_pool_size=5,
            retention_days=0,
        )
        asgi = Asgi(create_app(settings))
        await asgi.start()
        try:
            return await scenarios(asgi, args.calls)
        finally:
            await asgi.stop()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.crud", description=__doc__)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--database-url", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'request':34} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/req':>11}")
    for r in results:
        cpu = r["cpu_ms_per_request"]
        if "p50_ms" in r:
            print(f"{r['request']:34} {r['p50_ms']:8.3f} {r['p95_ms']:8.3f} {cpu:11.3f}")
        else:
            print(f"{r['request']:34} {'':8} {'':8} {cpu:11.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
