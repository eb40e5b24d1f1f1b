from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role

T = TypeVar("T", bound="CurrentApiKey")


@_attrs_define
class CurrentApiKey:
    """The key a request is made with

    Attributes:
        id (UUID):
        name (str):
        role (Role):
        allowed_operations (list[str]): The operationIds this key's role may call
    """

    id: UUID
    name: str
    role: Role
    allowed_operations: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        role = self.role.value

        allowed_operations = self.allowed_operations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "role": role,
                "allowedOperations": allowed_operations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        role = Role(d.pop("role"))

        allowed_operations = cast(list[str], d.pop("allowedOperations"))

        current_api_key = cls(
            id=id,
            name=name,
            role=role,
            allowed_operations=allowed_operations,
        )

        current_api_key.additional_properties = d
        return current_api_key

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
