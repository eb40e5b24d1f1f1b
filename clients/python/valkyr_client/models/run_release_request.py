from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.run_lease_ref import RunLeaseRef


T = TypeVar("T", bound="RunReleaseRequest")


@_attrs_define
class RunReleaseRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` (one key, several runner processes); anything else is a 403.
        runs (list[RunLeaseRef]):
    """

    runner_id: str
    runs: list[RunLeaseRef]

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
                "runs": runs,
            }
        )

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

        run_release_request = cls(
            runner_id=runner_id,
            runs=runs,
        )

        return run_release_request
