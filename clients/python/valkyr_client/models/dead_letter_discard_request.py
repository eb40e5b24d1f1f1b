from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DeadLetterDiscardRequest")


@_attrs_define
class DeadLetterDiscardRequest:
    """
    Attributes:
        notes (str):
    """

    notes: str

    def to_dict(self) -> dict[str, Any]:
        notes = self.notes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "notes": notes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        notes = d.pop("notes")

        dead_letter_discard_request = cls(
            notes=notes,
        )

        return dead_letter_discard_request
