from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunClaimRequest")


@_attrs_define
class RunClaimRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` with a non-empty suffix (one key, several runner processes); anything else is a 403.
            Ids starting with `@` belong to the service's own runners: a 403 for every key.
        modules (list[str]):
        limit (int | Unset):  Default: 1.
        lease_seconds (float | Unset):
        wait_seconds (float | Unset):  Default: 0.0.
    """

    runner_id: str
    modules: list[str]
    limit: int | Unset = 1
    lease_seconds: float | Unset = UNSET
    wait_seconds: float | Unset = 0.0

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        modules = self.modules

        limit = self.limit

        lease_seconds = self.lease_seconds

        wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "modules": modules,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit
        if lease_seconds is not UNSET:
            field_dict["leaseSeconds"] = lease_seconds
        if wait_seconds is not UNSET:
            field_dict["waitSeconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        modules = cast(list[str], d.pop("modules"))

        limit = d.pop("limit", UNSET)

        lease_seconds = d.pop("leaseSeconds", UNSET)

        wait_seconds = d.pop("waitSeconds", UNSET)

        run_claim_request = cls(
            runner_id=runner_id,
            modules=modules,
            limit=limit,
            lease_seconds=lease_seconds,
            wait_seconds=wait_seconds,
        )

        return run_claim_request
