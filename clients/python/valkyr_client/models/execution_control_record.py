from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.execution_control_record_action import ExecutionControlRecordAction
from ..models.execution_status import ExecutionStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecutionControlRecord")


@_attrs_define
class ExecutionControlRecord:
    """
    Attributes:
        action (ExecutionControlRecordAction):
        actor (str): The name of the API key that asked
        at (datetime.datetime):
        from_status (ExecutionStatus):
        to_status (ExecutionStatus):
        runs_changed (int | Unset):
    """

    action: ExecutionControlRecordAction
    actor: str
    at: datetime.datetime
    from_status: ExecutionStatus
    to_status: ExecutionStatus
    runs_changed: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        actor = self.actor

        at = self.at.isoformat()

        from_status = self.from_status.value

        to_status = self.to_status.value

        runs_changed = self.runs_changed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
                "fromStatus": from_status,
                "toStatus": to_status,
            }
        )
        if runs_changed is not UNSET:
            field_dict["runsChanged"] = runs_changed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = ExecutionControlRecordAction(d.pop("action"))

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        from_status = ExecutionStatus(d.pop("fromStatus"))

        to_status = ExecutionStatus(d.pop("toStatus"))

        runs_changed = d.pop("runsChanged", UNSET)

        execution_control_record = cls(
            action=action,
            actor=actor,
            at=at,
            from_status=from_status,
            to_status=to_status,
            runs_changed=runs_changed,
        )

        execution_control_record.additional_properties = d
        return execution_control_record

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
