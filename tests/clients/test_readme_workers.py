"""Done when: a Python and a Node worker, written from the READMEs of clients/python and
clients/typescript (in under 20 lines each), share 1,000 runs of one module with the
in-process runners of the service, and every run completes exactly once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clients.support import SdkWorker, node_or_skip, runner_key, service, start_executions
from tests.engine_support import ROOT, insert_workflow, wait_for

N = 1000


def readme_worker(readme: Path, language: str) -> str:
    """The first code block of the README's "A worker" section."""
    text = readme.read_text()
    section = text[text.index("## A worker") :]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def test_the_readme_workers_are_under_20_lines() -> None:
    for readme, language in (
        (ROOT / "clients/python/README.md", "python"),
        (ROOT / "clients/typescript/README.md", "js"),
    ):
        code = readme_worker(readme, language)
        assert 'module("mailer.send"' in code and "run()" in code
        assert len(code.strip().splitlines()) < 20, readme


@pytest.mark.asyncio
@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_readme_workers_share_a_thousand_runs_with_the_in_process_runners(
    db, db_url: str, tmp_path: Path
) -> None:
    node_or_skip()
    scripts = {}
    for lang, readme, language, suffix in (
        ("python", "clients/python/README.md", "python", ".py"),
        ("node", "clients/typescript/README.md", "js", ".mjs"),
    ):
        # the module the in-process runners have too (noop), in place of mailer.send
        code = readme_worker(ROOT / readme, language).replace('"mailer.send"', '"noop"')
        scripts[lang] = tmp_path / f"readme_worker{suffix}"
        scripts[lang].write_text(code)
    wf = await insert_workflow(
        db, [{"key": "send", "module": "noop", "inputs": {"to": "${inputs.to}"}}]
    )
    async with service(db_url, tmp_path, VALKYR_RUNNERS=2) as svc:
        key = await runner_key(svc, "mailer")
        workers = [
            SdkWorker("python", svc, key, "mailer:1", tmp_path, script=scripts["python"]),
            SdkWorker("node", svc, key, "mailer:2", tmp_path, script=scripts["node"]),
        ]
        try:
            for w in workers:
                await w.ready()
            await start_executions(db, wf, [{"to": f"user{i}@example.org"} for i in range(N)])

            async def all_completed() -> bool:
                return await db.fetchval(
                    "SELECT count(*) = $1 FROM workflow_executions WHERE status = 'COMPLETED'", N
                )

            await wait_for(all_completed, within=120, interval=0.2)
        finally:
            for w in workers:
                w.stop()
    runs = await db.fetch("SELECT execution_id, attempt, status, lease_owner, output FROM runs")
    assert len(runs) == N  # one run per execution: no retry, no second completion
    assert {r["status"] for r in runs} == {"SUCCEEDED"} and {r["attempt"] for r in runs} == {1}
    assert len({r["execution_id"] for r in runs}) == N
    by = {}
    for r in runs:
        owner = r["lease_owner"] if r["lease_owner"] in ("mailer:1", "mailer:2") else "in-process"
        by[owner] = by.get(owner, 0) + 1
    assert set(by) == {"mailer:1", "mailer:2", "in-process"}, by
    sdk_outputs = [r["output"] for r in runs if r["lease_owner"] in ("mailer:1", "mailer:2")]
    assert all(o["messageId"].startswith("msg-") for o in sdk_outputs)
    print(f"1,000 runs completed once each: {by}")
