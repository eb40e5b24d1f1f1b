"""Which circuit breaker guards a step (DESIGN §8).

An explicit ``circuitBreaker`` on the step always wins, so an operator can make
several endpoints share one breaker (or split one host into several). Without
it, an ``http`` step is keyed by its URL's host[:port]; other modules have no
breaker. The key is derived from the step definition only, never from
resolved inputs, so every run of a step maps to the same breaker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from custom.modules.http import http_breaker_key

__all__ = ["breaker_key"]


def breaker_key(step: Mapping[str, Any]) -> str | None:
    """The breaker key for ``step``, or ``None`` when it is not guarded."""
    explicit = step.get("circuitBreaker")
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    if step.get("module") == "http":
        config = step.get("config")
        if isinstance(config, Mapping):
            return http_breaker_key(config)
    return None
