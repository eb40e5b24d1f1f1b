"""Execution control records the name of the key that asked."""

from __future__ import annotations

import pytest

from custom.auth.keys import create_key
from tests.engine_support import insert_workflow, start
from tests.support import client_for

pytestmark = pytest.mark.asyncio


async def test_pause_resume_cancel_are_recorded_with_the_key_name(app, db) -> None:
    _record, secret = await create_key(db, "ops-alice", "operator")
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    execution_id = await start(db, wf)
    async with client_for(app, secret) as alice:
        for verb in ("pause", "resume", "cancel"):
            r = await alice.post(f"/WorkflowExecution/{execution_id}/{verb}")
            assert r.status_code == 200, r.text
        refused = await alice.post(f"/WorkflowExecution/{execution_id}/resume")
        assert refused.status_code == 409
        history = (await alice.get(f"/WorkflowExecution/{execution_id}")).json()["controlHistory"]
    assert [(h["action"], h["actor"], h["fromStatus"], h["toStatus"]) for h in history] == [
        ("pause", "ops-alice", "RUNNING", "PAUSED"),
        ("resume", "ops-alice", "PAUSED", "RUNNING"),
        ("cancel", "ops-alice", "RUNNING", "CANCELLED"),
    ]
    assert history[2]["runsChanged"] == 1
