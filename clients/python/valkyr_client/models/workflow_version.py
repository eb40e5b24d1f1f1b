from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.concurrency_limit import ConcurrencyLimit
    from ..models.step import Step


T = TypeVar("T", bound="WorkflowVersion")


@_attrs_define
class WorkflowVersion:
    """One immutable version of a workflow, as it was saved

    Attributes:
        workflow_id (UUID):
        version (int):
        name (str):
        steps (list[Step]):
        created_at (datetime.datetime):
        description (None | str | Unset):
        concurrency (ConcurrencyLimit | None | Unset):
    """

    workflow_id: UUID
    version: int
    name: str
    steps: list[Step]
    created_at: datetime.datetime
    description: None | str | Unset = UNSET
    concurrency: ConcurrencyLimit | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.concurrency_limit import ConcurrencyLimit  # noqa: PLC0415

        workflow_id = str(self.workflow_id)

        version = self.version

        name = self.name

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        created_at = self.created_at.isoformat()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        concurrency: dict[str, Any] | None | Unset
        if isinstance(self.concurrency, Unset):
            concurrency = UNSET
        elif isinstance(self.concurrency, ConcurrencyLimit):
            concurrency = self.concurrency.to_dict()
        else:
            concurrency = self.concurrency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workflowId": workflow_id,
                "version": version,
                "name": name,
                "steps": steps,
                "createdAt": created_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if concurrency is not UNSET:
            field_dict["concurrency"] = concurrency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.concurrency_limit import ConcurrencyLimit  # noqa: PLC0415
        from ..models.step import Step  # noqa: PLC0415

        d = dict(src_dict)
        workflow_id = UUID(d.pop("workflowId"))

        version = d.pop("version")

        name = d.pop("name")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = Step.from_dict(steps_item_data)

            steps.append(steps_item)

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_concurrency(data: object) -> ConcurrencyLimit | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                concurrency_type_1 = ConcurrencyLimit.from_dict(data)

                return concurrency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConcurrencyLimit | None | Unset, data)

        concurrency = _parse_concurrency(d.pop("concurrency", UNSET))

        workflow_version = cls(
            workflow_id=workflow_id,
            version=version,
            name=name,
            steps=steps,
            created_at=created_at,
            description=description,
            concurrency=concurrency,
        )

        workflow_version.additional_properties = d
        return workflow_version

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
