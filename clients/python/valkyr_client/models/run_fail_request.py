from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_error import RunError


T = TypeVar("T", bound="RunFailRequest")


@_attrs_define
class RunFailRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` with a non-empty suffix (one key, several runner processes); anything else is a 403.
            Ids starting with `@` belong to the service's own runners: a 403 for every key.
        lease_token (str): As the claim answered it
        error (RunError):
        retryable (bool | Unset):  Default: True.
    """

    runner_id: str
    lease_token: str
    error: RunError
    retryable: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        lease_token = self.lease_token

        error = self.error.to_dict()

        retryable = self.retryable

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "leaseToken": lease_token,
                "error": error,
            }
        )
        if retryable is not UNSET:
            field_dict["retryable"] = retryable

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_error import RunError  # noqa: PLC0415

        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        lease_token = d.pop("leaseToken")

        error = RunError.from_dict(d.pop("error"))

        retryable = d.pop("retryable", UNSET)

        run_fail_request = cls(
            runner_id=runner_id,
            lease_token=lease_token,
            error=error,
            retryable=retryable,
        )

        return run_fail_request
