from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.workflow_execution_batch_item_inputs import WorkflowExecutionBatchItemInputs


T = TypeVar("T", bound="WorkflowExecutionBatchItem")


@_attrs_define
class WorkflowExecutionBatchItem:
    """
    Attributes:
        workflow_id (UUID):
        inputs (WorkflowExecutionBatchItemInputs | Unset):
        idempotency_key (str | Unset): What the single submit's Idempotency-Key header says
        priority (int | Unset): The execution's priority, as WorkflowExecution.priority Default: 5.
    """

    workflow_id: UUID
    inputs: WorkflowExecutionBatchItemInputs | Unset = UNSET
    idempotency_key: str | Unset = UNSET
    priority: int | Unset = 5

    def to_dict(self) -> dict[str, Any]:
        workflow_id = str(self.workflow_id)

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        idempotency_key = self.idempotency_key

        priority = self.priority

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "workflowId": workflow_id,
            }
        )
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if idempotency_key is not UNSET:
            field_dict["idempotencyKey"] = idempotency_key
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.workflow_execution_batch_item_inputs import WorkflowExecutionBatchItemInputs  # noqa: PLC0415

        d = dict(src_dict)
        workflow_id = UUID(d.pop("workflowId"))

        _inputs = d.pop("inputs", UNSET)
        inputs: WorkflowExecutionBatchItemInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = WorkflowExecutionBatchItemInputs.from_dict(_inputs)

        idempotency_key = d.pop("idempotencyKey", UNSET)

        priority = d.pop("priority", UNSET)

        workflow_execution_batch_item = cls(
            workflow_id=workflow_id,
            inputs=inputs,
            idempotency_key=idempotency_key,
            priority=priority,
        )

        return workflow_execution_batch_item
