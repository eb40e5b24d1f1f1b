from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WaitConfig")


@_attrs_define
class WaitConfig:
    """The `config` of a step whose module is the built-in `wait`: its run is parked (status WAITING, no runner holds it)
    until a signal named `signal` arrives (`POST /WorkflowExecution/{id}/signal`; its payload is the step's output) or
    `timeoutSeconds` pass (the step is dead-lettered, `signal_timeout`). The step's own `timeoutSeconds` and `retry` do
    not apply.

        Attributes:
            signal (str): The signal name it waits for, e.g. `approved`
            timeout_seconds (float | Unset): How long it waits (default 7 days) Default: 604800.0.
    """

    signal: str
    timeout_seconds: float | Unset = 604800.0

    def to_dict(self) -> dict[str, Any]:
        signal = self.signal

        timeout_seconds = self.timeout_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "signal": signal,
            }
        )
        if timeout_seconds is not UNSET:
            field_dict["timeoutSeconds"] = timeout_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        signal = d.pop("signal")

        timeout_seconds = d.pop("timeoutSeconds", UNSET)

        wait_config = cls(
            signal=signal,
            timeout_seconds=timeout_seconds,
        )

        return wait_config
