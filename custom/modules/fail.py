"""``fail``: fail the first ``times`` attempts, then succeed (tests and demos).

Lets retries, backoff and the dead-letter queue be exercised end to end
without a flaky dependency. Settings come from the inputs, else the config:
``times`` (default 1; -1 fails every attempt), ``permanent`` (default false),
``message``.
"""

from __future__ import annotations

from typing import Any

from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError, TransientError


def _setting(inputs: dict[str, Any], config: dict[str, Any], name: str, default: Any) -> Any:
    if name in inputs:
        return inputs[name]
    return config.get(name, default)


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    """Raise while ``ctx.attempt <= times`` (always when ``times`` is -1); else echo inputs."""
    times = _setting(inputs, config, "times", 1)
    permanent = _setting(inputs, config, "permanent", False)
    if isinstance(times, bool) or not isinstance(times, int) or times < -1:
        raise PermanentError(f"fail: times must be an integer >= -1, got {times!r}")
    if not isinstance(permanent, bool):
        raise PermanentError(f"fail: permanent must be a boolean, got {permanent!r}")
    if times == -1 or ctx.attempt <= times:
        message = _setting(inputs, config, "message", None)
        if not isinstance(message, str) or not message:
            limit = "every attempt" if times == -1 else f"the first {times} attempt(s)"
            message = f"fail module: attempt {ctx.attempt} fails ({limit} configured)"
        error_cls = PermanentError if permanent else TransientError
        raise error_cls(message, details={"attempt": ctx.attempt, "times": times})
    return inputs
