"""What a module's result means for its run: one pure function, a case per class."""

from __future__ import annotations

import asyncio
import math

import pytest

from custom.json_values import jsonb_problem
from custom.modules.errors import PermanentError, TransientError
from custom.modules.outcome import CANCELLED, classify


def test_a_storable_output_is_a_success() -> None:
    outcome = classify(output={"n": 1, "s": "é", "l": [None, True, 2.5]})
    assert (outcome.kind, outcome.output) == ("success", {"n": 1, "s": "é", "l": [None, True, 2.5]})


def test_transient_error_is_retryable_with_its_own_shape() -> None:
    outcome = classify(exc=TransientError("503 from upstream", details={"status": 503}))
    assert outcome.kind == "failure" and outcome.retryable
    assert outcome.error == {
        "message": "503 from upstream",
        "type": "transient",
        "details": {"status": 503},
    }


def test_permanent_error_is_not_retryable() -> None:
    outcome = classify(exc=PermanentError("400 from upstream"))
    assert outcome.kind == "failure" and not outcome.retryable
    assert outcome.error == {"message": "400 from upstream", "type": "permanent"}


def test_the_runner_timer_is_a_retryable_timeout() -> None:
    outcome = classify(exc=TimeoutError(), timed_out=True, timeout_seconds=2.5)
    assert outcome.kind == "failure" and outcome.retryable
    assert outcome.error == {"message": "step timed out after 2.5 s", "type": "timeout"}


def test_a_timeout_error_the_module_raised_itself_is_just_an_exception() -> None:
    outcome = classify(exc=TimeoutError("upstream read timed out"))
    assert outcome.retryable and outcome.error["type"] == "TimeoutError"


def test_cancellation_is_cancelled() -> None:
    assert classify(exc=asyncio.CancelledError()) is CANCELLED


@pytest.mark.parametrize("exc", [ValueError("bad literal"), TypeError("wrong arg"), KeyError("k")])
def test_any_other_exception_is_retryable_not_bad_output(exc: Exception) -> None:
    outcome = classify(exc=exc)
    assert outcome.kind == "failure" and outcome.retryable
    assert outcome.error["type"] == type(exc).__name__
    assert outcome.error["type"] != "bad_output"


@pytest.mark.parametrize(
    "output",
    [
        {"x": math.nan},
        {"x": math.inf},
        [-math.inf],
        {"s": "a\x00b"},
        {"k\x00": 1},
        {"s": "\udfff"},
        {1, 2},
        {"o": object()},
    ],
    ids=[
        "nan",
        "infinity",
        "minus-infinity",
        "nul",
        "nul-in-key",
        "lone-surrogate",
        "set",
        "object",
    ],
)
def test_an_output_postgres_cannot_store_is_a_permanent_bad_output(output: object) -> None:
    outcome = classify(output=output)
    assert outcome.kind == "failure" and not outcome.retryable
    assert outcome.error["type"] == "bad_output"


def test_text_that_merely_spells_a_nul_escape_is_storable() -> None:
    assert jsonb_problem({"s": "\\u0000 is how JSON writes NUL"}) is None
