from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RunHeartbeatStatus")


@_attrs_define
class RunHeartbeatStatus:
    """
    Attributes:
        id (UUID):
        lost (bool): Not held with this token any more: abandon it, report nothing
        cancel_requested (bool): Its execution was cancelled: stop the step
    """

    id: UUID
    lost: bool
    cancel_requested: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        lost = self.lost

        cancel_requested = self.cancel_requested

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "lost": lost,
                "cancelRequested": cancel_requested,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        lost = d.pop("lost")

        cancel_requested = d.pop("cancelRequested")

        run_heartbeat_status = cls(
            id=id,
            lost=lost,
            cancel_requested=cancel_requested,
        )

        run_heartbeat_status.additional_properties = d
        return run_heartbeat_status

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
