"""`python -m bench`: run the scenarios, print a table, write one JSON object per scenario."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from bench.stats import median_of

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCENARIOS = (
    "hold",
    "burst",
    "chain",
    "api",
    "api-wrk",
    "sdk",
    "baseline",
    "recovery",
    "purge",
)

SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "hold_n": 10_000,
        "hold_seconds": 600,
        "probe_slots": 2_000,
        "probe_rates": [200.0, 1000.0],
        "probe_seconds": 20.0,
        "burst_n": 10_000,
        "chain_n": 1_000,
        "chain_steps": 5,
        "chain_rate": 100.0,
        "api_seconds": 10.0,
        "api_workers": 32,
        "api_runners": 8,
        "api_startup_timeout": 60.0,
        "phase_timeout": 60.0,
        "sdk_runs": 5_000,
        "sdk_concurrency": 64,
        "sdk_idle_seconds": 20.0,
        "recovery_n": 2_000,
        "purge_runs": 1_000_000,
        "purge_rate": 200.0,
        # repeats per scenario when --repeats is not given (hold and baseline are the slow ones)
        "repeats": {
            "hold": 1,
            "burst": 3,
            "chain": 3,
            "api": 3,
            "api-wrk": 3,
            "sdk": 1,
            "baseline": 1,
            "recovery": 5,
            "purge": 1,
        },
        "budget_s": {
            "hold": 300,
            "burst": 240,
            "chain": 120,
            "api": 120,
            "api-wrk": 240,
            "sdk": 300,
            "baseline": 300,
            "recovery": 240,
            "purge": 1200,
        },
    },
    "tiny": {
        "hold_n": 200,
        "hold_seconds": 600,
        "probe_slots": 200,
        "probe_rates": [50.0, 100.0],
        "probe_seconds": 1.0,
        "burst_n": 200,
        "chain_n": 20,
        "chain_steps": 5,
        "chain_rate": 20.0,
        "api_seconds": 1.0,
        "api_workers": 8,
        "api_runners": 2,
        "api_startup_timeout": 30.0,
        "phase_timeout": 20.0,
        "sdk_runs": 100,
        "sdk_concurrency": 64,
        "sdk_idle_seconds": 1.0,
        "recovery_n": 200,
        "purge_runs": 2_000,
        "purge_rate": 50.0,
        "repeats": {
            "hold": 1,
            "burst": 1,
            "chain": 1,
            "api": 1,
            "api-wrk": 1,
            "sdk": 1,
            "baseline": 1,
            "recovery": 1,
            "purge": 1,
        },
        "budget_s": {
            "hold": 60,
            "burst": 60,
            "chain": 60,
            "api": 60,
            "api-wrk": 90,
            "sdk": 90,
            "baseline": 60,
            "recovery": 120,
            "purge": 60,
        },
    },
}

ENGINE_DEFAULTS = {
    "slots": 256,
    "pool_size": 20,
    "claim_batch": 64,
    "lease_seconds": 120.0,
    "heartbeat_seconds": 2.0,
    "reaper_interval_seconds": 2.0,
    "poll_seconds": 1.0,
}

TARGETS = {
    "hold": "dispatch p95 <= 25 ms and p99 <= 75 ms at 200/s and 1,000/s, 0 leases lost",
    "burst": ">= 3,000 executions/s and >= pgqueuer",
    "chain": "(none set; reported)",
    "api": "connexion's own cost per request is the floor (reported beside the figures)",
    "api-wrk": "server CPU/request: POST <= 0.5 ms, GET <= 0.3 ms; batch >= 10,000 executions/s",
    "sdk": "(none set; reported) one SDK worker per language, noop, concurrency 64",
    "baseline": "pgqueuer with its defaults, same server, same measures",
    "recovery": "(none set; reported: database or link back -> first claim)",
    "purge": "(none set; reported: dispatch p95 before and during a purge of old runs)",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)}",
    )
    p.add_argument("--size", choices=sorted(SIZES), default="full")
    p.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats per scenario (median reported); default: per scenario",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per scenario on stdout instead of writing files",
    )
    p.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    p.add_argument(
        "--database-url",
        default=None,
        help="use this server instead of starting an embedded one (it must allow CREATE DATABASE)",
    )
    p.add_argument(
        "--slots",
        type=int,
        default=ENGINE_DEFAULTS["slots"],
        help="runner slots for burst and chain (hold uses its own count)",
    )
    p.add_argument(
        "--pool-size",
        type=int,
        default=ENGINE_DEFAULTS["pool_size"],
        help="the engine's asyncpg pool size",
    )
    p.add_argument("--claim-batch", type=int, default=ENGINE_DEFAULTS["claim_batch"])
    p.add_argument(
        "--api-runners",
        type=int,
        default=None,
        help="runner slots of the api scenario's server (0: the API alone, no execution runs)",
    )
    p.add_argument("--poll-seconds", type=float, default=ENGINE_DEFAULTS["poll_seconds"])
    p.add_argument(
        "--sdk-workers",
        type=int,
        default=1,
        help="SDK worker processes per language in the sdk scenario (runs shared among them)",
    )
    p.add_argument(
        "--web-workers",
        type=int,
        default=1,
        help="HTTP server processes of the api-wrk scenario's service (VALKYR_WEB_WORKERS)",
    )
    p.add_argument(
        "--hold-n", type=int, default=None, help="executions hold keeps in flight (size default)"
    )
    p.add_argument(
        "--hand-off",
        choices=("on", "off"),
        default="on",
        help="VALKYR_HAND_OFF for hold and burst (chain measures both)",
    )
    args = p.parse_args(argv)
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in args.scenario_list if s not in SCENARIOS]
    if unknown:
        p.error(f"unknown scenario(s): {', '.join(unknown)}")
    return args


def options(args: argparse.Namespace) -> dict[str, Any]:
    opts = {**ENGINE_DEFAULTS, **SIZES[args.size]}
    opts.update(
        slots=args.slots,
        pool_size=args.pool_size,
        claim_batch=args.claim_batch,
        poll_seconds=args.poll_seconds,
        web_workers=args.web_workers,
        sdk_workers=args.sdk_workers,
    )
    if args.api_runners is not None:
        opts["api_runners"] = args.api_runners
    if args.hold_n is not None:
        opts["hold_n"] = args.hold_n
    opts["hand_off"] = args.hand_off == "on"
    return opts


async def _run_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    from bench import api, engine, pgq, recovery, retention, sdk, wrk
    from bench.pg import Server, machine_facts

    opts = options(args)
    server = await asyncio.to_thread(Server.start, args.database_url)
    results: list[dict[str, Any]] = []
    try:
        await server.create_template()
        facts = {**machine_facts(), **(await server.facts())}
        facts["pgqueuer_version"] = pgq.pgqueuer_version()
        runners = {
            "hold": [("valkyr", engine.hold)],
            "burst": [("valkyr", engine.burst)],
            "chain": [("valkyr", engine.chain)],
            "api": [("valkyr", api.api)],
            "api-wrk": [("valkyr", wrk.api_wrk)],
            "sdk": [("valkyr", sdk.sdk)],
            "baseline": [("burst", pgq.burst), ("hold", pgq.hold)],
            "recovery": [("valkyr", recovery.recovery)],
            "purge": [("valkyr", retention.purge)],
        }
        for scenario in args.scenario_list:
            repeats = args.repeats or opts["repeats"][scenario]
            budget = opts["budget_s"][scenario]
            started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            t0 = time.monotonic()
            doc: dict[str, Any] = {
                "scenario": scenario,
                "size": args.size,
                "repeats": repeats,
                "started_at": started,
                "machine": facts,
                "target": TARGETS[scenario],
                "errors": [],
            }
            if scenario == "baseline" and facts["pgqueuer_version"] is None:
                doc["errors"].append("pgqueuer is not installed: pip install -e '.[bench]'")
                doc["duration_s"] = 0.0
                results.append(doc)
                _progress(f"{scenario}: skipped (pgqueuer missing)")
                continue
            medians: dict[str, Any] = {}
            runs: dict[str, list[Any]] = {}
            for part, fn in runners[scenario]:
                part_runs: list[Any] = []
                for i in range(repeats):
                    _progress(f"{scenario}/{part}: repeat {i + 1}/{repeats} …")
                    try:
                        part_runs.append(await asyncio.wait_for(fn(server, opts), budget))
                    except TimeoutError:
                        doc["errors"].append(f"{part} repeat {i + 1}: over its {budget} s budget")
                    except Exception as exc:
                        doc["errors"].append(f"{part} repeat {i + 1}: {type(exc).__name__}: {exc}")
                        traceback.print_exc(file=sys.stderr)
                runs[part] = part_runs
                medians[part] = median_of(part_runs) if part_runs else None
            doc["result"] = medians["valkyr"] if list(medians) == ["valkyr"] else medians
            doc["runs"] = runs["valkyr"] if list(runs) == ["valkyr"] else runs
            doc["duration_s"] = round(time.monotonic() - t0, 1)
            results.append(doc)
            _progress(f"{scenario}: done in {doc['duration_s']} s")
    finally:
        await asyncio.to_thread(server.stop)
    add_ratios(results)
    return results


def _progress(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _get(d: Any, *path: str) -> Any:
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _ratio(a: Any, b: Any) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return round(a / b, 2)
    return None


def add_ratios(results: list[dict[str, Any]]) -> None:
    """Valkyr / pgqueuer beside every comparable figure (>1: Valkyr higher)."""
    by = {r["scenario"]: r for r in results}
    base = _get(by.get("baseline"), "result")
    if not base:
        return
    if "burst" in by:
        ratios = {}
        for mode in ("live", "backlog"):
            ratios[f"{mode}.executions_per_s"] = _ratio(
                _get(by["burst"], "result", mode, "executions_per_s"),
                _get(base, "burst", mode, "executions_per_s"),
            )
            ratios[f"{mode}.submit_per_s"] = _ratio(
                _get(by["burst"], "result", mode, "submit_per_s"),
                _get(base, "burst", mode, "submit_per_s"),
            )
        by["burst"]["ratio_to_pgqueuer"] = ratios
    if "hold" in by:
        ratios = {}
        for phase in _get(by["hold"], "result", "phases") or {}:
            for p in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
                ratios[f"{phase}.{p}"] = _ratio(
                    _get(by["hold"], "result", "phases", phase, "dispatch", p),
                    _get(base, "hold", "phases", phase, "dispatch", p),
                )
            ratios[f"{phase}.service_cpu_cores"] = _ratio(
                _get(by["hold"], "result", "phases", phase, "service_cpu_cores"),
                _get(base, "hold", "phases", phase, "service_cpu_cores"),
            )
            ratios[f"{phase}.db_cpu_cores"] = _ratio(
                _get(by["hold"], "result", "phases", phase, "db_cpu_cores"),
                _get(base, "hold", "phases", phase, "db_cpu_cores"),
            )
        by["hold"]["ratio_to_pgqueuer"] = ratios


# -- the table ------------------------------------------------------------------------
def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        return f"{x:,.1f}" if abs(x) >= 100 else f"{x:,.2f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def table(results: list[dict[str, Any]]) -> str:
    by = {r["scenario"]: r for r in results}
    base = _get(by.get("baseline"), "result") or {}
    rows: list[tuple[str, str, Any, Any, Any, str]] = []

    def add(scn: str, metric: str, v: Any, b: Any = None, target: str = "") -> None:
        rows.append((scn, metric, v, b, _ratio(v, b), target))

    if "hold" in by or _get(base, "hold"):
        h = _get(by.get("hold"), "result") or {}
        phases = list(h.get("phases") or {}) or list(_get(base, "hold", "phases") or {})
        for phase in phases:
            ph = _get(h, "phases", phase) or {}
            bp = _get(base, "hold", "phases", phase) or {}
            for p, tgt in (
                ("p50_ms", ""),
                ("p95_ms", "<= 25"),
                ("p99_ms", "<= 75"),
                ("max_ms", ""),
            ):
                add(
                    "hold",
                    f"dispatch {phase} {p}",
                    _get(ph, "dispatch", p),
                    _get(bp, "dispatch", p),
                    tgt,
                )
            add(
                "hold", f"scheduled->claim {phase} p95_ms", _get(ph, "scheduled_to_claim", "p95_ms")
            )
            add(
                "hold",
                f"probes {phase} committed/s",
                _get(ph, "submit", "committed_rate"),
                _get(bp, "submit", "committed_rate"),
                f"= {phase}",
            )
            add("hold", f"event-loop lag {phase} p99_ms", _get(ph, "event_loop_lag", "p99_ms"))
            add("hold", f"GC max pause {phase} ms", _get(ph, "gc", "max_ms"))
            add(
                "hold",
                f"service CPU {phase} (cores)",
                ph.get("service_cpu_cores"),
                bp.get("service_cpu_cores"),
            )
            add("hold", f"DB CPU {phase} (cores)", ph.get("db_cpu_cores"), bp.get("db_cpu_cores"))
        add("hold", "leases lost", h.get("leases_lost"), _get(base, "hold", "leases_lost"), "= 0")
        add("hold", "heartbeat statements/s", _get(h, "heartbeats", "per_s"))
        add("hold", "heartbeat statement p95 ms", _get(h, "heartbeats", "duration", "p95_ms"))
        add("hold", "hold submit executions/s", h.get("hold_submit_per_s"))
    if "burst" in by or _get(base, "burst"):
        b = _get(by.get("burst"), "result") or {}
        for mode in ("live", "backlog"):
            add(
                "burst",
                f"{mode}: executions/s",
                _get(b, mode, "executions_per_s"),
                _get(base, "burst", mode, "executions_per_s"),
                ">= 3,000, >= pgqueuer",
            )
            add(
                "burst",
                f"{mode}: submit/s",
                _get(b, mode, "submit_per_s"),
                _get(base, "burst", mode, "submit_per_s"),
            )
        add(
            "burst",
            "live: time to last completion s",
            _get(b, "live", "time_to_last_completion_s"),
            _get(base, "burst", "live", "time_to_last_completion_s"),
        )
        add(
            "burst",
            "backlog: drain s",
            _get(b, "backlog", "drain_seconds"),
            _get(base, "burst", "backlog", "drain_seconds"),
        )
    if "chain" in by:
        c = by["chain"].get("result") or {}
        for key, label in (
            ("end_to_end", "end-to-end"),
            ("step_handoff", "hand-off (claim n+1 - finish n)"),
            ("step_ready_gap", "ready gap (avail n+1 - finish n)"),
            ("step_dispatch", "dispatch (claim - avail)"),
        ):
            for p in ("p50_ms", "p95_ms"):
                add("chain", f"{label} {p}", _get(c, key, p))
        for p in ("p50_ms", "p95_ms"):  # the same run with VALKYR_HAND_OFF=false
            add("chain", f"hand-off OFF: hand-off {p}", _get(c, "hand_off_off", "step_handoff", p))
        add("chain", "steps/s", c.get("steps_per_s"))
    if "api" in by:
        a = by["api"].get("result") or {}
        for op in ("POST /WorkflowExecution", "GET /WorkflowExecution/{id}"):
            r = a.get(op) or {}
            add("api", f"{op} req/s", r.get("requests_per_s"))
            for p in ("p50_ms", "p95_ms", "p99_ms"):
                add("api", f"{op} {p}", _get(r, "latency", p))
            add(
                "api",
                f"{op} server CPU ms/req",
                r.get("server_cpu_ms_per_request"),
                target="connexion ~0.35",
            )
            add(
                "api",
                f"{op} non-2xx+errors",
                sum(v for k, v in (r.get("statuses") or {}).items() if not k.startswith("2"))
                + (r.get("errors") or 0),
            )
    if "api-wrk" in by:
        w = by["api-wrk"].get("result") or {}
        if "skipped" in w:
            add("api-wrk", "skipped", None, target=str(w["skipped"]))
        for op, levels in w.items():
            if op in ("startup_seconds", "settings") or not isinstance(levels, dict):
                continue
            for conns, r in (levels or {}).items():
                label = f"{op} c={conns}"
                add("api-wrk", f"{label} req/s", r.get("requests_per_s"))
                if "executions_per_s" in r and op.endswith("/batch"):
                    add(
                        "api-wrk",
                        f"{label} executions/s",
                        r["executions_per_s"],
                        target=">= 10,000",
                    )
                lat = r.get("latency") or {}
                add(
                    "api-wrk",
                    f"{label} p50/p95/p99 ms",
                    " / ".join(_fmt(lat.get(p)) for p in ("p50_ms", "p95_ms", "p99_ms")),
                )
                add("api-wrk", f"{label} server CPU ms/req", r.get("server_cpu_ms_per_request"))
                add("api-wrk", f"{label} non-2xx", r.get("non_2xx"))
    if "sdk" in by:
        k = by["sdk"].get("result") or {}
        for lang in ("python", "node"):
            r = k.get(lang) or {}
            if "skipped" in r:
                add("sdk", f"{lang}: skipped", None, target=str(r["skipped"])[:40])
                continue
            add("sdk", f"{lang} worker: runs/s", r.get("runs_per_s"))
            add("sdk", f"{lang} worker: service requests/s", r.get("service_requests_per_s"))
            add("sdk", f"{lang} worker: requests per run", r.get("requests_per_run"))
            add("sdk", f"{lang} worker: service CPU ms/run", r.get("service_cpu_ms_per_run"))
            add("sdk", f"{lang} worker: worker CPU ms/run", r.get("worker_cpu_ms_per_run"))
            add("sdk", f"{lang} worker idle: requests/s", r.get("idle_requests_per_s"))
    if "recovery" in by:
        r = by["recovery"].get("result") or {}
        add("recovery", "SIGKILL: database back -> first claim s", _get(r, "kill", "recovery_s"))
        add(
            "recovery", "fast restart: back -> first claim s", _get(r, "fast_restart", "recovery_s")
        )
        add(
            "recovery",
            "partition: link back -> heartbeat s",
            _get(r, "partition", "first_heartbeat_s"),
        )
        add(
            "recovery",
            "partition: link back -> first claim s",
            _get(r, "partition", "first_claim_s"),
        )
    if "purge" in by:
        pr = by["purge"].get("result") or {}
        add("purge", "runs deleted", _get(pr, "purged", "runs"))
        for phase in ("before", "during"):
            for p in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
                add("purge", f"dispatch {phase} {p}", _get(pr, f"dispatch_{phase}", p))
        add("purge", "purge seconds", pr.get("purge_seconds"))
        add("purge", "runs deleted/s", pr.get("runs_per_s"))
        add("purge", "batch transaction p95_ms", _get(pr, "batch_transaction", "p95_ms"))
        add("purge", "batch transaction max_ms", _get(pr, "batch_transaction", "max_ms"))
        add("purge", "DB CPU during (cores)", pr.get("db_cpu_cores"))
    head = ("scenario", "metric", "valkyr", "pgqueuer", "ratio", "target")
    lines = [head] + [(s, m, _fmt(v), _fmt(b), _fmt(r), t) for s, m, v, b, r, t in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "  ".join(
                str(c).rjust(w) if 1 < i < 5 else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    errors = [f"  {r['scenario']}: {e}" for r in results for e in r.get("errors", [])]
    if errors:
        out += ["", "errors:", *errors]
    return "\n".join(out)


def run(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the selected scenarios and return their result documents (no output)."""
    args = parse_args(argv)
    return _loop_run(_run_all(args))


def _loop_run(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    args = parse_args(argv)
    results = _loop_run(_run_all(args))
    if args.json:
        for doc in results:
            print(json.dumps(doc, default=str))
    else:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for doc in results:
            (args.out_dir / f"{doc['scenario']}.json").write_text(
                json.dumps(doc, indent=2, default=str) + "\n"
            )
    print(table(results), file=sys.stderr if args.json else sys.stdout, flush=True)
    if not args.json:
        print(f"\nJSON: {args.out_dir}/<scenario>.json", flush=True)
    # a benchmark never fails on a figure; only a harness error is a non-zero exit
    return 1 if any(doc.get("errors") for doc in results) else 0
