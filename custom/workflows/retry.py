"""Retry backoff for transient failures.

Exponential: ``d = min(maxBackoffSeconds, initialBackoffSeconds *
backoffMultiplier ** (failed_attempt - 1))``.

With ``jitter`` the delay is drawn uniformly from ``[0, d]`` ("full jitter", as
the spec's RetryPolicy says): many runs that failed together (a dependency
outage) spread their retries over the whole window instead of coming back in
lockstep. (Before issue 12 it drew from ``[d/2, d]``, equal jitter, which the
spec did not say.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any

from generated.constants import RETRY_DEFAULTS

__all__ = ["backoff_seconds"]


def backoff_seconds(
    retry: Mapping[str, Any],
    failed_attempt: int,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before the attempt after ``failed_attempt`` (1-based).

    ``rand`` returns a float in ``[0, 1)``; injectable for deterministic tests.
    Missing retry fields take the spec's defaults (RetryPolicy). Huge attempt numbers are
    safe: the exponent is computed in log space so ``multiplier ** n`` can
    never overflow, and the result is always capped at ``maxBackoffSeconds``.
    """
    initial = float(retry.get("initialBackoffSeconds", RETRY_DEFAULTS["initialBackoffSeconds"]))
    multiplier = float(retry.get("backoffMultiplier", RETRY_DEFAULTS["backoffMultiplier"]))
    cap = float(retry.get("maxBackoffSeconds", RETRY_DEFAULTS["maxBackoffSeconds"]))
    jitter = bool(retry.get("jitter", RETRY_DEFAULTS["jitter"]))

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
        delay *= min(max(float(rand()), 0.0), 1.0)
    return delay
