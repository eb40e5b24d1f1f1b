from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dead_letter_filter import DeadLetterFilter


T = TypeVar("T", bound="DeadLetterBulkDiscardRequest")


@_attrs_define
class DeadLetterBulkDiscardRequest:
    """
    Attributes:
        filter_ (DeadLetterFilter): Entries that match every given field (only QUARANTINED entries are touched)
        notes (str):
        limit (int | Unset): At most this many entries in one request (oldest executions first); `remaining` in the
            answer says how many still match: call again. Default: 1000.
    """

    filter_: DeadLetterFilter
    notes: str
    limit: int | Unset = 1000

    def to_dict(self) -> dict[str, Any]:
        filter_ = self.filter_.to_dict()

        notes = self.notes

        limit = self.limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filter": filter_,
                "notes": notes,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_filter import DeadLetterFilter  # noqa: PLC0415

        d = dict(src_dict)
        filter_ = DeadLetterFilter.from_dict(d.pop("filter"))

        notes = d.pop("notes")

        limit = d.pop("limit", UNSET)

        dead_letter_bulk_discard_request = cls(
            filter_=filter_,
            notes=notes,
            limit=limit,
        )

        return dead_letter_bulk_discard_request
