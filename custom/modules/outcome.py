"""What a module's result means for its run: one pure function decides.

| what the module did                            | outcome                                 |
|------------------------------------------------|-----------------------------------------|
| returned a value PostgreSQL can store as jsonb | success                                 |
| returned anything else (NaN, Infinity, a set,  | permanent failure, type `bad_output`    |
| a lone surrogate, a NUL character)             |                                         |
| raised TransientError                          | retryable failure                       |
| raised PermanentError                          | permanent failure (dead letter)         |
| ran past its step's timeoutSeconds             | retryable failure, type `timeout`       |
| was cancelled (its execution was cancelled)    | cancelled                               |
| raised anything else (ValueError included)     | retryable failure, its class as `type`  |

Deciding `bad_output` here, before any write, keeps a value the database refuses
from reaching a statement, where it would fail the report (and a whole batch of
other runs' completions with it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

from custom.json_values import jsonb_problem
from custom.modules.errors import ModuleError

Kind = Literal["success", "failure", "cancelled"]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    output: Any = None
    error: dict[str, Any] | None = None
    retryable: bool = False


CANCELLED = Outcome("cancelled", error={"message": "cancelled", "type": "cancelled"})


def classify(
    *,
    output: Any = None,
    exc: BaseException | None = None,
    timed_out: bool = False,
    timeout_seconds: float = 0.0,
) -> Outcome:
    """The outcome of one module call: what it returned, or what it raised.

    `timed_out` says the runner's own timer stopped the call (a TimeoutError the
    module raised by itself is just another exception)."""
    if timed_out:
        error = {"message": f"step timed out after {timeout_seconds:g} s", "type": "timeout"}
        return Outcome("failure", error=error, retryable=True)
    if exc is None:
        problem = jsonb_problem(output)
        if problem is None:
            return Outcome("success", output=output)
        error = {"message": f"module output is not storable JSON: {problem}", "type": "bad_output"}
        return Outcome("failure", error=error, retryable=False)
    if isinstance(exc, asyncio.CancelledError):
        return CANCELLED
    if isinstance(exc, ModuleError):
        return Outcome("failure", error=exc.to_dict(), retryable=exc.retryable)
    # unknown failures get the benefit of the doubt, bounded by maxAttempts
    error = {"message": str(exc) or type(exc).__name__, "type": type(exc).__name__}
    return Outcome("failure", error=error, retryable=True)
