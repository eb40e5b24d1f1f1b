"""Every validator create_app installs checks formats with our checker (custom/app/formats.py):
a bad uuid, date-time or int64 is refused whatever the content type, and jsonschema's
global Draft 4 checker is left as it ships."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft4Validator

from custom.app.formats import FORMAT_CHECKER
from custom.app.validators import validator_map

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "at": {"type": "string", "format": "date-time"},
        "n": {"type": "integer", "format": "int64"},
    },
}
GOOD = {"id": "6f1c2a1e-6a36-4f38-9d7e-2f1c0e2b9a10", "at": "2026-12-04T10:00:00Z", "n": 1}
BAD = [{"id": "nope"}, {"at": "2026-12-04 10:00"}, {"n": 2**63}]


def body_validators() -> list[Any]:
    body = validator_map()["body"]
    return [
        body[media](schema=SCHEMA, encoding="utf-8", strict_validation=False)
        for media in (
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ]


def response_validators() -> list[Any]:
    response = validator_map()["response"]
    return [
        response[media]({"type": "http"}, schema=SCHEMA, encoding="utf-8")
        for media in ("application/json", "text/plain")
    ]


@pytest.mark.parametrize("bad", BAD, ids=["uuid", "date-time", "int64"])
def test_body_and_response_validators_check_our_formats(bad: dict[str, Any]) -> None:
    checkers = [v._validator for v in body_validators()]
    checkers += [v.validator for v in response_validators()]
    for checker in checkers:
        assert checker.format_checker is FORMAT_CHECKER
        assert checker.is_valid(GOOD) and not checker.is_valid(bad), type(checker)


def test_the_global_draft4_checker_is_left_alone() -> None:
    validator_map()
    assert not {"uuid", "int64"} & set(Draft4Validator.FORMAT_CHECKER.checkers)
    assert (
        Draft4Validator.FORMAT_CHECKER.checkers.get("date-time")
        != FORMAT_CHECKER.checkers["date-time"]
    )
