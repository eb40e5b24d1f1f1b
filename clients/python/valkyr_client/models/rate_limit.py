from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimit")


@_attrs_define
class RateLimit:
    """A token bucket: `burst` tokens at most, refilled at `perSecond`; each claimed run of a step naming this key takes
    one.

        Attributes:
            key (str):
            per_second (float):
            burst (int):
            id (UUID | Unset):
            available_tokens (float | Unset): Tokens in the bucket now (refilled up to the engine's clock; a run takes a
                whole one)
            created_at (datetime.datetime | Unset):
            updated_at (datetime.datetime | Unset):
    """

    key: str
    per_second: float
    burst: int
    id: UUID | Unset = UNSET
    available_tokens: float | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        per_second = self.per_second

        burst = self.burst

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        available_tokens = self.available_tokens

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "perSecond": per_second,
                "burst": burst,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if available_tokens is not UNSET:
            field_dict["availableTokens"] = available_tokens
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        per_second = d.pop("perSecond")

        burst = d.pop("burst")

        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        available_tokens = d.pop("availableTokens", UNSET)

        _created_at = d.pop("createdAt", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updatedAt", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        rate_limit = cls(
            key=key,
            per_second=per_second,
            burst=burst,
            id=id,
            available_tokens=available_tokens,
            created_at=created_at,
            updated_at=updated_at,
        )

        return rate_limit
