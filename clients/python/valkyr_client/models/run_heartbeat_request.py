from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunHeartbeatRequest")


@_attrs_define
class RunHeartbeatRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` with a non-empty suffix (one key, several runner processes); anything else is a 403.
            Ids starting with `@` belong to the service's own runners: a 403 for every key.
        lease_token (str): As the claim answered it
        lease_seconds (float | Unset): Extend the lease by this many seconds from now. Without it, by the length the
            runner asked for when it claimed (never silently by the server default).
    """

    runner_id: str
    lease_token: str
    lease_seconds: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        lease_token = self.lease_token

        lease_seconds = self.lease_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "leaseToken": lease_token,
            }
        )
        if lease_seconds is not UNSET:
            field_dict["leaseSeconds"] = lease_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        lease_token = d.pop("leaseToken")

        lease_seconds = d.pop("leaseSeconds", UNSET)

        run_heartbeat_request = cls(
            runner_id=runner_id,
            lease_token=lease_token,
            lease_seconds=lease_seconds,
        )

        return run_heartbeat_request
