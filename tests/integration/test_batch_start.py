"""Batch submit (in-process): many executions and their first runs in one transaction."""

from __future__ import annotations

import pytest

from custom.executions.start import start_many
from tests.engine_support import insert_workflow, start

pytestmark = pytest.mark.asyncio


async def test_start_many_creates_each_execution_once_with_its_root_runs(db) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "a", "module": "ext.a", "inputs": {"n": "${inputs.n}"}},
            {"key": "b", "module": "ext.b"},
            {"key": "c", "module": "ext.c", "dependsOn": ["a", "b"]},
        ],
    )
    existing = await start(db, wf, {"n": 0})
    inputs = [{"n": i} for i in range(100)] + [{"n": 5}]
    async with db.acquire() as conn:
        started = await start_many(conn, wf, inputs)
    assert [s.created for s in started] == [False] + [True] * 99 + [False]
    assert started[0].execution["id"] == existing
    assert started[5].execution["id"] == started[100].execution["id"]
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 100
    counts = await db.fetch(
        "SELECT step_key, count(*) AS n FROM runs GROUP BY step_key ORDER BY step_key"
    )
    assert [(r["step_key"], r["n"]) for r in counts] == [("a", 100), ("b", 100)]
    n7 = await db.fetchval(
        "SELECT r.inputs FROM runs r JOIN workflow_executions e ON e.id = r.execution_id"
        " WHERE e.inputs = '{\"n\": 7}' AND r.step_key = 'a'"
    )
    assert n7 == {"n": 7}


async def test_start_many_dead_letters_an_execution_whose_inputs_do_not_resolve(db) -> None:
    wf = await insert_workflow(
        db, [{"key": "a", "module": "ext.a", "inputs": {"v": "${inputs.required}"}}]
    )
    async with db.acquire() as conn:
        started = await start_many(conn, wf, [{"required": 1}, {"other": 2}])
    assert all(s.created for s in started)
    statuses = await db.fetch("SELECT inputs, status FROM workflow_executions ORDER BY inputs")
    assert {tuple(r["inputs"]): r["status"] for r in statuses} == {
        ("other",): "FAILED",
        ("required",): "RUNNING",
    }
