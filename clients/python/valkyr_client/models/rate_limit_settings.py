from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimitSettings")


@_attrs_define
class RateLimitSettings:
    """
    Attributes:
        per_second (float | Unset):
        burst (int | Unset):
    """

    per_second: float | Unset = UNSET
    burst: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        per_second = self.per_second

        burst = self.burst

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if per_second is not UNSET:
            field_dict["perSecond"] = per_second
        if burst is not UNSET:
            field_dict["burst"] = burst

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        per_second = d.pop("perSecond", UNSET)

        burst = d.pop("burst", UNSET)

        rate_limit_settings = cls(
            per_second=per_second,
            burst=burst,
        )

        return rate_limit_settings
