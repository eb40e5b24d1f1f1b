from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.run_heartbeat_status import RunHeartbeatStatus


T = TypeVar("T", bound="RunBatchHeartbeatResponse")


@_attrs_define
class RunBatchHeartbeatResponse:
    """
    Attributes:
        lease_expires_at (datetime.datetime | None): The runner's lease after this heartbeat (null when it holds none of
            the runs)
        runs (list[RunHeartbeatStatus]):
    """

    lease_expires_at: datetime.datetime | None
    runs: list[RunHeartbeatStatus]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lease_expires_at: None | str
        if isinstance(self.lease_expires_at, datetime.datetime):
            lease_expires_at = self.lease_expires_at.isoformat()
        else:
            lease_expires_at = self.lease_expires_at

        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "leaseExpiresAt": lease_expires_at,
                "runs": runs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_heartbeat_status import RunHeartbeatStatus  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_lease_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return lease_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        lease_expires_at = _parse_lease_expires_at(d.pop("leaseExpiresAt"))

        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = RunHeartbeatStatus.from_dict(runs_item_data)

            runs.append(runs_item)

        run_batch_heartbeat_response = cls(
            lease_expires_at=lease_expires_at,
            runs=runs,
        )

        run_batch_heartbeat_response.additional_properties = d
        return run_batch_heartbeat_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
