from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.problem import Problem
    from ..models.workflow_execution import WorkflowExecution


T = TypeVar("T", bound="WorkflowExecutionBatchResult")


@_attrs_define
class WorkflowExecutionBatchResult:
    """One item's result; `execution` with 200/201, `problem` otherwise

    Attributes:
        status (int): The status a single submit of the item would answer
        execution (WorkflowExecution | Unset):
        problem (Problem | Unset):
    """

    status: int
    execution: WorkflowExecution | Unset = UNSET
    problem: Problem | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        execution: dict[str, Any] | Unset = UNSET
        if not isinstance(self.execution, Unset):
            execution = self.execution.to_dict()

        problem: dict[str, Any] | Unset = UNSET
        if not isinstance(self.problem, Unset):
            problem = self.problem.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if execution is not UNSET:
            field_dict["execution"] = execution
        if problem is not UNSET:
            field_dict["problem"] = problem

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem import Problem  # noqa: PLC0415
        from ..models.workflow_execution import WorkflowExecution  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status")

        _execution = d.pop("execution", UNSET)
        execution: WorkflowExecution | Unset
        if isinstance(_execution, Unset):
            execution = UNSET
        else:
            execution = WorkflowExecution.from_dict(_execution)

        _problem = d.pop("problem", UNSET)
        problem: Problem | Unset
        if isinstance(_problem, Unset):
            problem = UNSET
        else:
            problem = Problem.from_dict(_problem)

        workflow_execution_batch_result = cls(
            status=status,
            execution=execution,
            problem=problem,
        )

        workflow_execution_batch_result.additional_properties = d
        return workflow_execution_batch_result

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
