from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CircuitBreakerThresholds")


@_attrs_define
class CircuitBreakerThresholds:
    """
    Attributes:
        failure_threshold (int | Unset):
        reset_timeout_seconds (float | Unset):
        half_open_max_calls (int | Unset):
    """

    failure_threshold: int | Unset = UNSET
    reset_timeout_seconds: float | Unset = UNSET
    half_open_max_calls: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        failure_threshold = self.failure_threshold

        reset_timeout_seconds = self.reset_timeout_seconds

        half_open_max_calls = self.half_open_max_calls

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if failure_threshold is not UNSET:
            field_dict["failureThreshold"] = failure_threshold
        if reset_timeout_seconds is not UNSET:
            field_dict["resetTimeoutSeconds"] = reset_timeout_seconds
        if half_open_max_calls is not UNSET:
            field_dict["halfOpenMaxCalls"] = half_open_max_calls

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failure_threshold = d.pop("failureThreshold", UNSET)

        reset_timeout_seconds = d.pop("resetTimeoutSeconds", UNSET)

        half_open_max_calls = d.pop("halfOpenMaxCalls", UNSET)

        circuit_breaker_thresholds = cls(
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            half_open_max_calls=half_open_max_calls,
        )

        return circuit_breaker_thresholds
