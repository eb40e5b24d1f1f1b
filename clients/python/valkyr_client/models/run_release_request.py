from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_lease_ref import RunLeaseRef


T = TypeVar("T", bound="RunReleaseRequest")


@_attrs_define
class RunReleaseRequest:
    """
    Attributes:
        runner_id (str): Who holds the lease. A key with the runner role may only act as the runnerId equal to its key
            name, or `<name>:<suffix>` (one key, several runner processes); anything else is a 403.
        runs (list[RunLeaseRef] | Unset):
        all_held (bool | Unset): Also every other run still leased to this runnerId (use one runnerId per process)
            Default: False.
    """

    runner_id: str
    runs: list[RunLeaseRef] | Unset = UNSET
    all_held: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        runner_id = self.runner_id

        runs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.runs, Unset):
            runs = []
            for runs_item_data in self.runs:
                runs_item = runs_item_data.to_dict()
                runs.append(runs_item)

        all_held = self.all_held

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runnerId": runner_id,
            }
        )
        if runs is not UNSET:
            field_dict["runs"] = runs
        if all_held is not UNSET:
            field_dict["allHeld"] = all_held

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_lease_ref import RunLeaseRef  # noqa: PLC0415

        d = dict(src_dict)
        runner_id = d.pop("runnerId")

        _runs = d.pop("runs", UNSET)
        runs: list[RunLeaseRef] | Unset = UNSET
        if _runs is not UNSET:
            runs = []
            for runs_item_data in _runs:
                runs_item = RunLeaseRef.from_dict(runs_item_data)

                runs.append(runs_item)

        all_held = d.pop("allHeld", UNSET)

        run_release_request = cls(
            runner_id=runner_id,
            runs=runs,
            all_held=all_held,
        )

        return run_release_request
