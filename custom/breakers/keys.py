"""Which circuit breaker guards a step.

An explicit ``circuitBreaker`` on the step always wins, so an operator can make
several endpoints share one breaker (or split one host into several). Without
it, the step's module may declare one (``http`` keys by the URL's host[:port];
a plug-in may declare its own: custom.modules.registry); other steps have no
breaker. The key is derived from the step definition only, never from resolved
inputs, so every run of a step maps to the same breaker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from custom.modules.registry import Module, declared_breaker_key

__all__ = ["breaker_key"]


def breaker_key(step: Mapping[str, Any], modules: Mapping[str, Module]) -> str | None:
    """The breaker key for ``step``, or ``None`` when it is not guarded."""
    explicit = step.get("circuitBreaker")
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    config = step.get("config")
    if not isinstance(config, Mapping):
        return None
    return declared_breaker_key(modules.get(str(step.get("module"))), config)
