"""Checks on JSON values that PostgreSQL would refuse later."""

from __future__ import annotations

from typing import Any


def contains_nul(value: Any) -> bool:
    """True when a string anywhere in the value (keys included) holds U+0000,
    which text and jsonb columns reject."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False
