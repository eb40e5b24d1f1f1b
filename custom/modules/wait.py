"""``wait``: park the step until a signal arrives (approvals, external events).

The engine never hands a wait run to a runner: it creates it WAITING (no lease, no
runner slot) and a signal of its name (`POST /WorkflowExecution/{id}/signal`)
completes it with the signal's payload as output (custom/executions/signals.py); the
reaper dead-letters it when `timeoutSeconds` pass. This callable exists so that the
name is taken (no plug-in can claim it) and so that a wait run that reached a
runner anyway (a row written by hand) fails loudly instead of returning nothing.
"""

from __future__ import annotations

from typing import Any

from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    raise PermanentError(
        "wait: this step is completed by a signal (POST /WorkflowExecution/{id}/signal), "
        "never run by a runner"
    )
