"""Exponential backoff with equal jitter, capped and overflow-safe."""

import pytest

from custom.workflows.retry import backoff_seconds

RETRY = {
    "initialBackoffSeconds": 1,
    "backoffMultiplier": 2,
    "maxBackoffSeconds": 60,
    "jitter": False,
}


@pytest.mark.parametrize(
    ("attempt", "expected"), [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (50, 60)]
)
def test_exponential_growth_capped(attempt: int, expected: float) -> None:
    assert backoff_seconds(RETRY, attempt) == pytest.approx(expected)


def test_huge_attempt_does_not_overflow() -> None:
    assert backoff_seconds(RETRY, 10**9) == 60
    assert backoff_seconds({**RETRY, "backoffMultiplier": 1e300}, 5000) == 60


def test_multiplier_one_is_constant() -> None:
    retry = {**RETRY, "initialBackoffSeconds": 3, "backoffMultiplier": 1}
    assert [backoff_seconds(retry, n) for n in (1, 5, 100)] == [3, 3, 3]


def test_zero_backoff() -> None:
    assert backoff_seconds({**RETRY, "initialBackoffSeconds": 0}, 10) == 0
    assert backoff_seconds({**RETRY, "jitter": True}, 1, rand=lambda: 0.0) == 0.5


def test_equal_jitter_bounds() -> None:
    retry = {**RETRY, "jitter": True}
    assert backoff_seconds(retry, 3, rand=lambda: 0.0) == pytest.approx(2.0)
    assert backoff_seconds(retry, 3, rand=lambda: 0.5) == pytest.approx(3.0)
    assert backoff_seconds(retry, 3, rand=lambda: 1.0) == pytest.approx(4.0)
    for _ in range(200):
        assert 30 <= backoff_seconds(retry, 20) <= 60


def test_defaults_when_fields_missing() -> None:
    assert backoff_seconds({"jitter": False}, 1) == 1
    assert backoff_seconds({"jitter": False}, 100) == 300
