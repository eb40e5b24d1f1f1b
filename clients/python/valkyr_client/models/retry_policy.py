from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetryPolicy")


@_attrs_define
class RetryPolicy:
    """The delay before attempt n+1 is min(maxBackoffSeconds, initialBackoffSeconds × backoffMultiplier^(n-1)), drawn
    uniformly from [0, delay] with jitter.

        Attributes:
            max_attempts (int | Unset):  Default: 3.
            initial_backoff_seconds (float | Unset):  Default: 1.0.
            backoff_multiplier (float | Unset):  Default: 2.0.
            max_backoff_seconds (float | Unset):  Default: 300.0.
            jitter (bool | Unset): Full jitter: the delay is drawn uniformly from [0, delay] Default: True.
    """

    max_attempts: int | Unset = 3
    initial_backoff_seconds: float | Unset = 1.0
    backoff_multiplier: float | Unset = 2.0
    max_backoff_seconds: float | Unset = 300.0
    jitter: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        max_attempts = self.max_attempts

        initial_backoff_seconds = self.initial_backoff_seconds

        backoff_multiplier = self.backoff_multiplier

        max_backoff_seconds = self.max_backoff_seconds

        jitter = self.jitter

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if max_attempts is not UNSET:
            field_dict["maxAttempts"] = max_attempts
        if initial_backoff_seconds is not UNSET:
            field_dict["initialBackoffSeconds"] = initial_backoff_seconds
        if backoff_multiplier is not UNSET:
            field_dict["backoffMultiplier"] = backoff_multiplier
        if max_backoff_seconds is not UNSET:
            field_dict["maxBackoffSeconds"] = max_backoff_seconds
        if jitter is not UNSET:
            field_dict["jitter"] = jitter

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_attempts = d.pop("maxAttempts", UNSET)

        initial_backoff_seconds = d.pop("initialBackoffSeconds", UNSET)

        backoff_multiplier = d.pop("backoffMultiplier", UNSET)

        max_backoff_seconds = d.pop("maxBackoffSeconds", UNSET)

        jitter = d.pop("jitter", UNSET)

        retry_policy = cls(
            max_attempts=max_attempts,
            initial_backoff_seconds=initial_backoff_seconds,
            backoff_multiplier=backoff_multiplier,
            max_backoff_seconds=max_backoff_seconds,
            jitter=jitter,
        )

        return retry_policy
