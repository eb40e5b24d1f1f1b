from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConcurrencyLimit")


@_attrs_define
class ConcurrencyLimit:
    """At most `limit` executions of this workflow with the same key value are RUNNING (or PAUSED) at once; the others wait
    PENDING, in arrival order, and start as slots free up. The key is a template over the execution's inputs, e.g.
    `${inputs.customerId}`.

        Attributes:
            key (str):
            limit (int):
    """

    key: str
    limit: int

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        limit = self.limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "limit": limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        limit = d.pop("limit")

        concurrency_limit = cls(
            key=key,
            limit=limit,
        )

        return concurrency_limit
