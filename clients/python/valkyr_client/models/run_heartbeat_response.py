from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RunHeartbeatResponse")


@_attrs_define
class RunHeartbeatResponse:
    """
    Attributes:
        lease_expires_at (datetime.datetime):
        cancel_requested (bool):
    """

    lease_expires_at: datetime.datetime
    cancel_requested: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lease_expires_at = self.lease_expires_at.isoformat()

        cancel_requested = self.cancel_requested

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "leaseExpiresAt": lease_expires_at,
                "cancelRequested": cancel_requested,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        lease_expires_at = datetime.datetime.fromisoformat(d.pop("leaseExpiresAt"))

        cancel_requested = d.pop("cancelRequested")

        run_heartbeat_response = cls(
            lease_expires_at=lease_expires_at,
            cancel_requested=cancel_requested,
        )

        run_heartbeat_response.additional_properties = d
        return run_heartbeat_response

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
