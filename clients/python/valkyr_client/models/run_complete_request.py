from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunCompleteRequest")


@_attrs_define
class RunCompleteRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` with a non-empty suffix (one key, several runner processes); anything else is a 403.
            Ids starting with `@` belong to the service's own runners: a 403 for every key.
        lease_token (str): As the claim answered it
        output (Any | Unset): Any JSON value
    """

    runner_id: str
    lease_token: str
    output: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        lease_token = self.lease_token

        output = self.output

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "leaseToken": lease_token,
            }
        )
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        lease_token = d.pop("leaseToken")

        output = d.pop("output", UNSET)

        run_complete_request = cls(
            runner_id=runner_id,
            lease_token=lease_token,
            output=output,
        )

        return run_complete_request
