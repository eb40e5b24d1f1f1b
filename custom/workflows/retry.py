"""Retry backoff for transient failures.

Exponential: ``d = min(maxBackoffSeconds, initialBackoffSeconds *
backoffMultiplier ** (failed_attempt - 1))``.

With ``jitter`` the delay is drawn uniformly from ``[d/2, d]`` ("equal
jitter"): half the delay is kept so a retry never fires almost immediately
after a failure (which full jitter allows), and the other half is random so
many runs that failed together (e.g. a dependency outage) do not retry in
lockstep and hammer it again at the same instant.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["backoff_seconds"]

_DEFAULTS: dict[str, Any] = {
    "initialBackoffSeconds": 1,
    "backoffMultiplier": 2,
    "maxBackoffSeconds": 300,
    "jitter": True,
}


def backoff_seconds(
    retry: Mapping[str, Any],
    failed_attempt: int,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before the attempt after ``failed_attempt`` (1-based).

    ``rand`` returns a float in ``[0, 1)``; injectable for deterministic tests.
    Missing retry fields take the workflow defaults. Huge attempt numbers are
    safe: the exponent is computed in log space so ``multiplier ** n`` can
    never overflow, and the result is always capped at ``maxBackoffSeconds``.
    """
    initial = float(retry.get("initialBackoffSeconds", _DEFAULTS["initialBackoffSeconds"]))
    multiplier = float(retry.get("backoffMultiplier", _DEFAULTS["backoffMultiplier"]))
    cap = float(retry.get("maxBackoffSeconds", _DEFAULTS["maxBackoffSeconds"]))
    jitter = bool(retry.get("jitter", _DEFAULTS["jitter"]))

    exponent = max(0, int(failed_attempt) - 1)
    cap = max(0.0, cap)
    if initial <= 0 or cap == 0:
        delay = 0.0
    elif multiplier <= 1 or exponent == 0:
        delay = min(cap, initial)
    else:
        # log(initial * multiplier**exponent) compared to log(cap): no overflow.
        log_delay = math.log(initial) + exponent * math.log(multiplier)
        delay = cap if log_delay >= math.log(cap) else min(cap, math.exp(log_delay))

    if jitter and delay > 0:
        r = min(max(float(rand()), 0.0), 1.0)
        delay = delay / 2 + r * (delay / 2)
    return delay
