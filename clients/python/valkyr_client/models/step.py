from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.retry_policy import RetryPolicy
    from ..models.step_config import StepConfig
    from ..models.step_inputs import StepInputs


T = TypeVar("T", bound="Step")


@_attrs_define
class Step:
    """
    Attributes:
        key (str):
        module (str):
        config (StepConfig | Unset):
        inputs (StepInputs | Unset):
        depends_on (list[str] | Unset):
        retry (RetryPolicy | Unset): The delay before attempt n+1 is min(maxBackoffSeconds, initialBackoffSeconds ×
            backoffMultiplier^(n-1)), drawn uniformly from [0, delay] with jitter.
        timeout_seconds (float | Unset):  Default: 300.0.
        circuit_breaker (None | str | Unset):
        rate_limit (None | str | Unset): The key of a RateLimit: runs of this step are claimed no faster than its bucket
            allows, across all runners (a run over the rate waits, PENDING, and uses no attempt). A key no RateLimit has is
            not limited.
    """

    key: str
    module: str
    config: StepConfig | Unset = UNSET
    inputs: StepInputs | Unset = UNSET
    depends_on: list[str] | Unset = UNSET
    retry: RetryPolicy | Unset = UNSET
    timeout_seconds: float | Unset = 300.0
    circuit_breaker: None | str | Unset = UNSET
    rate_limit: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        module = self.module

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        depends_on: list[str] | Unset = UNSET
        if not isinstance(self.depends_on, Unset):
            depends_on = self.depends_on

        retry: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retry, Unset):
            retry = self.retry.to_dict()

        timeout_seconds = self.timeout_seconds

        circuit_breaker: None | str | Unset
        if isinstance(self.circuit_breaker, Unset):
            circuit_breaker = UNSET
        else:
            circuit_breaker = self.circuit_breaker

        rate_limit: None | str | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "module": module,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if depends_on is not UNSET:
            field_dict["dependsOn"] = depends_on
        if retry is not UNSET:
            field_dict["retry"] = retry
        if timeout_seconds is not UNSET:
            field_dict["timeoutSeconds"] = timeout_seconds
        if circuit_breaker is not UNSET:
            field_dict["circuitBreaker"] = circuit_breaker
        if rate_limit is not UNSET:
            field_dict["rateLimit"] = rate_limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retry_policy import RetryPolicy  # noqa: PLC0415
        from ..models.step_config import StepConfig  # noqa: PLC0415
        from ..models.step_inputs import StepInputs  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        module = d.pop("module")

        _config = d.pop("config", UNSET)
        config: StepConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = StepConfig.from_dict(_config)

        _inputs = d.pop("inputs", UNSET)
        inputs: StepInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = StepInputs.from_dict(_inputs)

        depends_on = cast(list[str], d.pop("dependsOn", UNSET))

        _retry = d.pop("retry", UNSET)
        retry: RetryPolicy | Unset
        if isinstance(_retry, Unset):
            retry = UNSET
        else:
            retry = RetryPolicy.from_dict(_retry)

        timeout_seconds = d.pop("timeoutSeconds", UNSET)

        def _parse_circuit_breaker(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        circuit_breaker = _parse_circuit_breaker(d.pop("circuitBreaker", UNSET))

        def _parse_rate_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rateLimit", UNSET))

        step = cls(
            key=key,
            module=module,
            config=config,
            inputs=inputs,
            depends_on=depends_on,
            retry=retry,
            timeout_seconds=timeout_seconds,
            circuit_breaker=circuit_breaker,
            rate_limit=rate_limit,
        )

        return step
