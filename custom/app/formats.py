"""Format checks connexion does not do by itself (uuid, strict date-time, int64).

Without them a malformed UUID reaches a handler and becomes a 500. They live in a
format checker of our own, which our request validators (custom/app/validators.py)
hand to jsonschema: jsonschema's global Draft 4 checker stays as it ships, so other
users of jsonschema in the process (schemathesis, a second app) see no change.
"""

from __future__ import annotations

import datetime
import re
import uuid

from jsonschema import Draft4Validator, FormatChecker

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    uuid.UUID(value)
    return True


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _is_int64(value: object) -> bool:
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError("out of int64 range")
    return True


def format_checker() -> FormatChecker:
    """Draft 4's format checks, with uuid, date-time and int64 as the API means them."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft4Validator.FORMAT_CHECKER.checkers)
    checker.checks("uuid", raises=ValueError)(_is_uuid)
    checker.checks("date-time", raises=ValueError)(_is_datetime)
    checker.checks("int64", raises=ValueError)(_is_int64)
    return checker


# built once; nothing changes it after this line
FORMAT_CHECKER = format_checker()
