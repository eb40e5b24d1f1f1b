from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.dead_letter_reason import DeadLetterReason
from ..types import UNSET, Unset

T = TypeVar("T", bound="DeadLetterFilter")


@_attrs_define
class DeadLetterFilter:
    """Entries that match every given field (only QUARANTINED entries are touched)

    Attributes:
        execution_id (UUID | Unset):
        workflow_id (UUID | Unset):
        step_key (str | Unset):
        reason (DeadLetterReason | Unset):
    """

    execution_id: UUID | Unset = UNSET
    workflow_id: UUID | Unset = UNSET
    step_key: str | Unset = UNSET
    reason: DeadLetterReason | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        execution_id: str | Unset = UNSET
        if not isinstance(self.execution_id, Unset):
            execution_id = str(self.execution_id)

        workflow_id: str | Unset = UNSET
        if not isinstance(self.workflow_id, Unset):
            workflow_id = str(self.workflow_id)

        step_key = self.step_key

        reason: str | Unset = UNSET
        if not isinstance(self.reason, Unset):
            reason = self.reason.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if execution_id is not UNSET:
            field_dict["executionId"] = execution_id
        if workflow_id is not UNSET:
            field_dict["workflowId"] = workflow_id
        if step_key is not UNSET:
            field_dict["stepKey"] = step_key
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _execution_id = d.pop("executionId", UNSET)
        execution_id: UUID | Unset
        if isinstance(_execution_id, Unset):
            execution_id = UNSET
        else:
            execution_id = UUID(_execution_id)

        _workflow_id = d.pop("workflowId", UNSET)
        workflow_id: UUID | Unset
        if isinstance(_workflow_id, Unset):
            workflow_id = UNSET
        else:
            workflow_id = UUID(_workflow_id)

        step_key = d.pop("stepKey", UNSET)

        _reason = d.pop("reason", UNSET)
        reason: DeadLetterReason | Unset
        if isinstance(_reason, Unset):
            reason = UNSET
        else:
            reason = DeadLetterReason(_reason)

        dead_letter_filter = cls(
            execution_id=execution_id,
            workflow_id=workflow_id,
            step_key=step_key,
            reason=reason,
        )

        return dead_letter_filter
