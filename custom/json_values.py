"""Checks on JSON values that PostgreSQL (or UTF-8 itself) would refuse later."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def _any_text(value: Any, bad: Callable[[str], bool]) -> bool:
    if isinstance(value, str):
        return bad(value)
    if isinstance(value, dict):
        return any(bad(k) or _any_text(v, bad) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_text(v, bad) for v in value)
    return False


def contains_nul(value: Any) -> bool:
    """True when a string anywhere in the value (keys included) holds U+0000,
    which text and jsonb columns reject."""
    return _any_text(value, lambda s: "\x00" in s)


def contains_surrogate(value: Any) -> bool:
    """True when a string anywhere in the value (keys included) holds a lone UTF-16
    surrogate (JSON can spell one as `\\udfff`): no character, so UTF-8 cannot
    encode it for hashing or for the database."""
    return _any_text(value, lambda s: _SURROGATE.search(s) is not None)
