"""``sleep``: wait ``seconds`` (demos, lease/heartbeat and cancellation tests).

Uses ``asyncio.sleep`` so cancelling the task (timeout, shutdown, cancel) stops
it at once.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError

DEFAULT_SECONDS = 1


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    """Sleep ``seconds`` (from inputs, else config, else 1); return ``{"slept": seconds}``."""
    if "seconds" in inputs:
        seconds = inputs["seconds"]
    else:
        seconds = config.get("seconds", DEFAULT_SECONDS)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise PermanentError(f"sleep: seconds must be a finite number >= 0, got {seconds!r}")
    await asyncio.sleep(seconds)
    return {"slept": seconds}
