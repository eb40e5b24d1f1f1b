"""`python -m bench --size tiny`: every scenario runs and writes sane JSON (not a speed test)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cli import SCENARIOS, main


def _num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


@pytest.mark.timeout(360)
def test_every_scenario_at_tiny_size(tmp_path: Path) -> None:
    try:
        import pgqueuer  # noqa: F401  (the `bench` extra)

        scenarios = list(SCENARIOS)
    except ImportError:  # without the extra: everything but the baseline
        scenarios = [s for s in SCENARIOS if s != "baseline"]
    scenarios.remove("api-wrk")  # tests/bench/test_bench_wrk.py (it needs wrk)
    code = main(["--size", "tiny", "--out-dir", str(tmp_path), "--scenarios", ",".join(scenarios)])
    docs = {s: json.loads((tmp_path / f"{s}.json").read_text()) for s in scenarios}
    for name, doc in docs.items():
        assert doc["scenario"] == name
        assert doc["errors"] == [], doc["errors"]
        assert doc["machine"]["cores"] >= 1 and doc["machine"]["postgres_version"]
        assert doc["result"], name
    assert code == 0

    hold = docs["hold"]["result"]
    assert hold["all_hold_leased"] and hold["leases_lost"] == 0
    for phase in hold["phases"].values():
        assert phase["all_claimed"]
        assert phase["dispatch"]["n"] == phase["submit"]["issued"] > 0
        assert (
            0
            <= phase["dispatch"]["p50_ms"]
            <= phase["dispatch"]["p99_ms"]
            <= phase["dispatch"]["max_ms"]
        )
    assert hold["heartbeats"]["statements"] >= 1

    burst = docs["burst"]["result"]
    for mode in ("live", "backlog"):
        assert burst[mode]["all_completed"] and burst[mode]["completed"] == burst["executions"]
        assert _num(burst[mode]["executions_per_s"]) and burst[mode]["executions_per_s"] > 0

    chain = docs["chain"]["result"]
    assert chain["all_completed"]
    assert chain["end_to_end"]["n"] == chain["executions"]
    assert chain["step_handoff"]["n"] == chain["executions"] * (chain["steps"] - 1)

    api = docs["api"]["result"]
    for op in ("POST /WorkflowExecution", "GET /WorkflowExecution/{id}"):
        assert api[op]["requests"] > 0 and api[op]["errors"] == 0
        assert set(api[op]["statuses"]) <= {"200", "201"}
        assert _num(api[op]["latency"]["p95_ms"])

    sdk = docs["sdk"]["result"]
    for lang in ("python", "node"):
        r = sdk[lang]
        if "skipped" in r:  # no Node on this machine
            assert lang == "node", r
            continue
        assert r["runs"] > 0 and _num(r["runs_per_s"]) and r["runs_per_s"] > 0
        # every run reported once, and a few claims and heartbeats beside
        assert r["service_requests"]["complete"] == r["runs"]
        assert r["service_requests"]["claim"] >= 1
        assert r["idle_requests"].get("heartbeat", 0) == 0
    recovered = docs["recovery"]["result"]
    for case in ("kill", "fast_restart"):
        assert recovered[case]["all_completed"] and _num(recovered[case]["recovery_s"])
    partition = recovered["partition"]
    assert "skipped" in partition or (
        partition["all_completed"] and _num(partition["first_claim_s"])
    )

    purged = docs["purge"]["result"]
    assert purged["all_purged"] and purged["purged"]["runs"] == purged["runs_loaded"] > 0
    for phase in ("before", "during"):
        assert purged[f"dispatch_{phase}"]["n"] > 0
        assert _num(purged[f"dispatch_{phase}"]["p95_ms"])
    assert purged["batches"] >= 1 and _num(purged["batch_transaction"]["max_ms"])

    if "baseline" not in docs:
        return
    base = docs["baseline"]["result"]
    assert base["burst"]["live"]["completed"] == base["burst"]["jobs"]
    assert _num(base["hold"]["phases"]["50/s"]["dispatch"]["p95_ms"])
    assert docs["burst"]["ratio_to_pgqueuer"]["live.executions_per_s"] is not None
