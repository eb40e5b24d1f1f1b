from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dead_letter_requeue_request_input_overrides import (
        DeadLetterRequeueRequestInputOverrides,
    )


T = TypeVar("T", bound="DeadLetterRequeueRequest")


@_attrs_define
class DeadLetterRequeueRequest:
    """
    Attributes:
        input_overrides (DeadLetterRequeueRequestInputOverrides | Unset): Merged over the original inputs (top-level
            keys)
        notes (str | Unset):
    """

    input_overrides: DeadLetterRequeueRequestInputOverrides | Unset = UNSET
    notes: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        input_overrides: dict[str, Any] | Unset = UNSET
        if not isinstance(self.input_overrides, Unset):
            input_overrides = self.input_overrides.to_dict()

        notes = self.notes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if input_overrides is not UNSET:
            field_dict["inputOverrides"] = input_overrides
        if notes is not UNSET:
            field_dict["notes"] = notes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_requeue_request_input_overrides import (
            DeadLetterRequeueRequestInputOverrides,  # noqa: PLC0415
        )

        d = dict(src_dict)
        _input_overrides = d.pop("inputOverrides", UNSET)
        input_overrides: DeadLetterRequeueRequestInputOverrides | Unset
        if isinstance(_input_overrides, Unset):
            input_overrides = UNSET
        else:
            input_overrides = DeadLetterRequeueRequestInputOverrides.from_dict(_input_overrides)

        notes = d.pop("notes", UNSET)

        dead_letter_requeue_request = cls(
            input_overrides=input_overrides,
            notes=notes,
        )

        return dead_letter_requeue_request
