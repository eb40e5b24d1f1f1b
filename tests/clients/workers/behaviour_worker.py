"""A Python SDK worker whose handler does what each run's inputs say (tests only).

inputs.job.do: "echo" (default), "sleep" (inputs.job.seconds; prints when cancelled),
"slow_first" (sleeps on the first attempt only), "transient", "permanent", "crash" (a
plain exception), "nonjson".
Settings from the environment: VALKYR_URL, VALKYR_API_KEY, RUNNER_ID, MODULE,
CONCURRENCY, LEASE_SECONDS, HEARTBEAT_SECONDS, WAIT_SECONDS, GRACE_SECONDS.
"""

import asyncio
import os

from valkyr_client import Client
from valkyr_client.worker import PermanentError, TransientError, Worker

env = os.environ
worker = Worker(
    Client(env["VALKYR_URL"], api_key=env["VALKYR_API_KEY"]),
    runner_id=env["RUNNER_ID"],
    concurrency=int(env.get("CONCURRENCY", "4")),
    lease_seconds=float(env.get("LEASE_SECONDS", "60")),
    heartbeat_seconds=float(env["HEARTBEAT_SECONDS"]) if "HEARTBEAT_SECONDS" in env else None,
    wait_seconds=float(env.get("WAIT_SECONDS", "10")),
    shutdown_grace_seconds=float(env.get("GRACE_SECONDS", "10")),
)


@worker.module(env.get("MODULE", "sdk.test"))
async def handle(inputs, ctx):
    job = inputs.get("job") or {}
    do = job.get("do", "echo")
    print(f"started {ctx.run_id} attempt {ctx.attempt} key {ctx.idempotency_key}", flush=True)
    if do == "sleep" or (do == "slow_first" and ctx.attempt == 1):
        try:
            await asyncio.sleep(float(job.get("seconds", 1)))
        except asyncio.CancelledError:
            print(f"cancelled {ctx.run_id} ({ctx.cancelled.reason})", flush=True)
            raise
    elif do == "transient":
        raise TransientError("try again later")
    elif do == "permanent":
        raise PermanentError("never going to work")
    elif do == "crash":
        raise ZeroDivisionError("boom")
    elif do == "nonjson":
        return {"when": object()}
    print(f"finished {ctx.run_id}", flush=True)
    return {"echo": inputs, "by": env["RUNNER_ID"]}


worker.run()
