from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WorkflowExecutionCountsCounts")


@_attrs_define
class WorkflowExecutionCountsCounts:
    """Executions per status; every status is present

    Attributes:
        pending (int):
        running (int):
        paused (int):
        completed (int):
        failed (int):
        cancelled (int):
    """

    pending: int
    running: int
    paused: int
    completed: int
    failed: int
    cancelled: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pending = self.pending

        running = self.running

        paused = self.paused

        completed = self.completed

        failed = self.failed

        cancelled = self.cancelled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "PENDING": pending,
                "RUNNING": running,
                "PAUSED": paused,
                "COMPLETED": completed,
                "FAILED": failed,
                "CANCELLED": cancelled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pending = d.pop("PENDING")

        running = d.pop("RUNNING")

        paused = d.pop("PAUSED")

        completed = d.pop("COMPLETED")

        failed = d.pop("FAILED")

        cancelled = d.pop("CANCELLED")

        workflow_execution_counts_counts = cls(
            pending=pending,
            running=running,
            paused=paused,
            completed=completed,
            failed=failed,
            cancelled=cancelled,
        )

        workflow_execution_counts_counts.additional_properties = d
        return workflow_execution_counts_counts

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
