"""The bench's Python SDK worker: a noop handler (settings from the environment)."""

import os

from valkyr_client import Client
from valkyr_client.worker import Worker

env = os.environ
worker = Worker(
    Client(env["VALKYR_URL"], api_key=env["VALKYR_API_KEY"]),
    runner_id=env["RUNNER_ID"],
    concurrency=int(env["CONCURRENCY"]),
)


@worker.module(env["MODULE"])
async def noop(inputs, ctx):
    return {}


worker.run()
