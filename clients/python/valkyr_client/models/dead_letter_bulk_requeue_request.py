from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dead_letter_bulk_requeue_request_input_overrides import (
        DeadLetterBulkRequeueRequestInputOverrides,
    )
    from ..models.dead_letter_filter import DeadLetterFilter


T = TypeVar("T", bound="DeadLetterBulkRequeueRequest")


@_attrs_define
class DeadLetterBulkRequeueRequest:
    """
    Attributes:
        filter_ (DeadLetterFilter): Entries that match every given field (only QUARANTINED entries are touched)
        input_overrides (DeadLetterBulkRequeueRequestInputOverrides | Unset):
        notes (str | Unset):
        limit (int | Unset): At most this many entries in one request (oldest executions first); `remaining` in the
            answer says how many still match: call again. Default: 1000.
    """

    filter_: DeadLetterFilter
    input_overrides: DeadLetterBulkRequeueRequestInputOverrides | Unset = UNSET
    notes: str | Unset = UNSET
    limit: int | Unset = 1000

    def to_dict(self) -> dict[str, Any]:
        filter_ = self.filter_.to_dict()

        input_overrides: dict[str, Any] | Unset = UNSET
        if not isinstance(self.input_overrides, Unset):
            input_overrides = self.input_overrides.to_dict()

        notes = self.notes

        limit = self.limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filter": filter_,
            }
        )
        if input_overrides is not UNSET:
            field_dict["inputOverrides"] = input_overrides
        if notes is not UNSET:
            field_dict["notes"] = notes
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_bulk_requeue_request_input_overrides import (
            DeadLetterBulkRequeueRequestInputOverrides,  # noqa: PLC0415
        )
        from ..models.dead_letter_filter import DeadLetterFilter  # noqa: PLC0415

        d = dict(src_dict)
        filter_ = DeadLetterFilter.from_dict(d.pop("filter"))

        _input_overrides = d.pop("inputOverrides", UNSET)
        input_overrides: DeadLetterBulkRequeueRequestInputOverrides | Unset
        if isinstance(_input_overrides, Unset):
            input_overrides = UNSET
        else:
            input_overrides = DeadLetterBulkRequeueRequestInputOverrides.from_dict(_input_overrides)

        notes = d.pop("notes", UNSET)

        limit = d.pop("limit", UNSET)

        dead_letter_bulk_requeue_request = cls(
            filter_=filter_,
            input_overrides=input_overrides,
            notes=notes,
            limit=limit,
        )

        return dead_letter_bulk_requeue_request
