"""Checks on JSON values that PostgreSQL would refuse later."""

from __future__ import annotations

import json
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


def jsonb_problem(value: Any) -> str | None:
    """Why PostgreSQL's jsonb cannot store `value`, or None when it can: not JSON at
    all (a set, an object), NaN or Infinity, NUL, or a lone surrogate (not UTF-8)."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError as exc:
        if "Out of range float" in str(exc):
            return "a number is NaN or Infinity, which JSON cannot carry"
        return str(exc) or type(exc).__name__
    except (TypeError, RecursionError) as exc:
        return str(exc) or type(exc).__name__
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a string holds a lone surrogate, which is not valid UTF-8"
    # json.dumps escapes NUL as \u0000; the exact walk tells it from a string that
    # merely spells those six characters
    if "\\u0000" in text and contains_nul(value):
        return "a string holds NUL (U+0000), which PostgreSQL does not store"
    return None
