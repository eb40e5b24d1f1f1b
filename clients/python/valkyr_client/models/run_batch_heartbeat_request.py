from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_lease_ref import RunLeaseRef


T = TypeVar("T", bound="RunBatchHeartbeatRequest")


@_attrs_define
class RunBatchHeartbeatRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` (one key, several runner processes); anything else is a 403.
        runs (list[RunLeaseRef]):
        lease_seconds (float | Unset): Extend the lease by this many seconds from now. Without it, by the length the
            runner asked for when it claimed (never silently by the server default).
    """

    runner_id: str
    runs: list[RunLeaseRef]
    lease_seconds: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        lease_seconds = self.lease_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "runs": runs,
            }
        )
        if lease_seconds is not UNSET:
            field_dict["leaseSeconds"] = lease_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_lease_ref import RunLeaseRef  # noqa: PLC0415

        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = RunLeaseRef.from_dict(runs_item_data)

            runs.append(runs_item)

        lease_seconds = d.pop("leaseSeconds", UNSET)

        run_batch_heartbeat_request = cls(
            runner_id=runner_id,
            runs=runs,
            lease_seconds=lease_seconds,
        )

        return run_batch_heartbeat_request
