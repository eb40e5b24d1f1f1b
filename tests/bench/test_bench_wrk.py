"""`python -m bench --size tiny --scenarios api-wrk`: wrk drives the service out of
process and every phase reports sane figures (not a speed test). Skipped only where
wrk is not installed (.ci/run installs it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cli import main
from bench.wrk import PHASES, parse_wrk, wrk_binary


def test_parse_wrk_reads_the_done_line_and_the_non_2xx_count() -> None:
    text = (
        "Running 1s test\n  Non-2xx or 3xx responses: 3\n"
        "VALKYR 120 1000000 900 2500 4000 9000 0 1 3 0\n"
    )
    parsed = parse_wrk(text)
    assert parsed["requests"] == 120 and parsed["requests_per_s"] == 120.0
    assert parsed["latency"] == {"p50_ms": 0.9, "p95_ms": 2.5, "p99_ms": 4.0, "max_ms": 9.0}
    assert parsed["non_2xx"] == 3
    assert parsed["errors"] == {"connect": 0, "read_write": 1, "status": 3, "timeout": 0}


@pytest.mark.timeout(180)
def test_api_wrk_at_tiny_size(tmp_path: Path) -> None:
    if wrk_binary() is None:
        pytest.skip("wrk is not installed (apt-get install -y wrk)")
    code = main(["--size", "tiny", "--out-dir", str(tmp_path), "--scenarios", "api-wrk"])
    doc = json.loads((tmp_path / "api-wrk.json").read_text())
    assert doc["errors"] == [] and code == 0
    result = doc["result"]
    for name, _script, _path, connections, per_request in PHASES:
        for conns in connections:
            r = result[name][str(conns)]
            assert r["non_2xx"] == 0 and not any(r["errors"].values()), (name, conns, r)
            assert r["server_cpu_ms_per_request"] > 0, (name, conns)
            if r["requests"]:  # a 1,000-item batch may take longer than the tiny second
                assert 0 < r["latency"]["p50_ms"] <= r["latency"]["p99_ms"]
            if per_request:
                assert r["executions_per_s"] == r["requests_per_s"] * per_request
    assert sum(result["POST /WorkflowExecution"][c]["requests"] for c in ("32", "256")) > 0
