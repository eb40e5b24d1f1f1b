"""The worker SDK: run a module's steps in your own service.

from valkyr_client import Client
from valkyr_client.worker import Worker

worker = Worker(Client(URL, api_key=KEY), runner_id="mailer:1", concurrency=16)

@worker.module("mailer.send")
async def send(inputs, ctx):
    return {"messageId": "..."}

worker.run()
"""

from .context import Cancellation, Context
from .errors import PermanentError, TransientError
from .worker import Worker

__all__ = ["Cancellation", "Context", "PermanentError", "TransientError", "Worker"]
