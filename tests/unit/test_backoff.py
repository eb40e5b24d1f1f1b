"""Exponential backoff with full jitter (the spec's RetryPolicy), capped and overflow-safe."""

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
    assert backoff_seconds({**RETRY, "jitter": True}, 1, rand=lambda: 0.0) == 0.0


def test_full_jitter_bounds() -> None:
    """Full jitter: uniform in [0, delay] (it was [delay/2, delay] before issue 12)."""
    retry = {**RETRY, "jitter": True}
    assert backoff_seconds(retry, 3, rand=lambda: 0.0) == pytest.approx(0.0)
    assert backoff_seconds(retry, 3, rand=lambda: 0.5) == pytest.approx(2.0)
    assert backoff_seconds(retry, 3, rand=lambda: 1.0) == pytest.approx(4.0)
    delays = [backoff_seconds(retry, 20) for _ in range(200)]
    assert all(0 <= d <= 60 for d in delays)
    # the lower half of the window is used too (P(no draw below 30 in 200) = 2**-200)
    assert min(delays) < 30 < max(delays)


def test_defaults_when_fields_missing() -> None:
    assert backoff_seconds({"jitter": False}, 1) == 1
    assert backoff_seconds({"jitter": False}, 100) == 300


def test_defaults_are_the_specs() -> None:
    import yaml

    from custom.resources import resource_path

    spec = yaml.safe_load(resource_path("openapi.yaml").read_text())
    policy = spec["components"]["schemas"]["RetryPolicy"]["properties"]
    assert backoff_seconds({"jitter": False}, 1) == policy["initialBackoffSeconds"]["default"]
    assert backoff_seconds({"jitter": False}, 100) == policy["maxBackoffSeconds"]["default"]
    assert "uniformly from [0, delay]" in policy["jitter"]["description"]
