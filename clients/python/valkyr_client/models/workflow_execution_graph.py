from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.execution_status import ExecutionStatus

if TYPE_CHECKING:
    from ..models.execution_graph_node import ExecutionGraphNode


T = TypeVar("T", bound="WorkflowExecutionGraph")


@_attrs_define
class WorkflowExecutionGraph:
    """
    Attributes:
        execution_id (UUID):
        workflow_id (UUID):
        workflow_version (int):
        workflow_name (str):
        status (ExecutionStatus):
        nodes (list[ExecutionGraphNode]): One node per step, in the definition's order
    """

    execution_id: UUID
    workflow_id: UUID
    workflow_version: int
    workflow_name: str
    status: ExecutionStatus
    nodes: list[ExecutionGraphNode]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        execution_id = str(self.execution_id)

        workflow_id = str(self.workflow_id)

        workflow_version = self.workflow_version

        workflow_name = self.workflow_name

        status = self.status.value

        nodes = []
        for nodes_item_data in self.nodes:
            nodes_item = nodes_item_data.to_dict()
            nodes.append(nodes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "executionId": execution_id,
                "workflowId": workflow_id,
                "workflowVersion": workflow_version,
                "workflowName": workflow_name,
                "status": status,
                "nodes": nodes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.execution_graph_node import ExecutionGraphNode  # noqa: PLC0415

        d = dict(src_dict)
        execution_id = UUID(d.pop("executionId"))

        workflow_id = UUID(d.pop("workflowId"))

        workflow_version = d.pop("workflowVersion")

        workflow_name = d.pop("workflowName")

        status = ExecutionStatus(d.pop("status"))

        nodes = []
        _nodes = d.pop("nodes")
        for nodes_item_data in _nodes:
            nodes_item = ExecutionGraphNode.from_dict(nodes_item_data)

            nodes.append(nodes_item)

        workflow_execution_graph = cls(
            execution_id=execution_id,
            workflow_id=workflow_id,
            workflow_version=workflow_version,
            workflow_name=workflow_name,
            status=status,
            nodes=nodes,
        )

        workflow_execution_graph.additional_properties = d
        return workflow_execution_graph

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
