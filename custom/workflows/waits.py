"""The built-in `wait` step: what its config means (shared by validation, the engine
that parks its runs, and the module itself).

A wait step's run is never handed to a runner: it is created WAITING with its
deadline as `available_at` and ends when a signal of its name is consumed (or the
reaper times it out). The spec's WaitConfig states the defaults and bounds.
"""

from __future__ import annotations

import math
import re
from typing import Any

from generated.constants import (
    SIGNAL_NAME_MAX_LENGTH,
    SIGNAL_NAME_PATTERN,
    WAIT_DEFAULTS,
    WAIT_MAXIMUMS,
    WAIT_MINIMUMS,
)

WAIT_MODULE = "wait"
_SIGNAL_RE = re.compile(SIGNAL_NAME_PATTERN)
_KNOWN = {"signal", "timeoutSeconds"}


def is_wait(step: dict[str, Any]) -> bool:
    return step.get("module") == WAIT_MODULE


def wait_config_problem(config: Any) -> tuple[str, str] | None:
    """(field, reason) when `config` is not a valid WaitConfig, else None."""
    if not isinstance(config, dict):
        return "config", "must be an object"
    unknown = set(config) - _KNOWN
    if unknown:
        return "config", f"unknown field(s) {sorted(unknown)} (a wait takes {sorted(_KNOWN)})"
    signal = config.get("signal")
    if (
        not isinstance(signal, str)
        or len(signal) > SIGNAL_NAME_MAX_LENGTH
        or not _SIGNAL_RE.match(signal)
    ):
        return "config.signal", f"must be a signal name matching {SIGNAL_NAME_PATTERN}"
    timeout = config.get("timeoutSeconds", WAIT_DEFAULTS["timeoutSeconds"])
    lowest, highest = WAIT_MINIMUMS["timeoutSeconds"], WAIT_MAXIMUMS["timeoutSeconds"]
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or not lowest <= timeout <= highest
    ):
        return "config.timeoutSeconds", f"must be a number between {lowest} and {highest}"
    return None


def signal_name(config: dict[str, Any]) -> str:
    return str(config["signal"])


def wait_timeout_seconds(config: dict[str, Any]) -> float:
    """How long a wait with this (valid) config stays parked."""
    return float(config.get("timeoutSeconds", WAIT_DEFAULTS["timeoutSeconds"]))
