from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="RunLeaseRef")


@_attrs_define
class RunLeaseRef:
    """
    Attributes:
        id (UUID):
        lease_token (str): As the claim answered it
    """

    id: UUID
    lease_token: str

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        lease_token = self.lease_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "leaseToken": lease_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        lease_token = d.pop("leaseToken")

        run_lease_ref = cls(
            id=id,
            lease_token=lease_token,
        )

        return run_lease_ref
