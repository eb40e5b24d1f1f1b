from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.breaker_state import BreakerState
from ..types import UNSET, Unset

T = TypeVar("T", bound="CircuitBreakerState")


@_attrs_define
class CircuitBreakerState:
    """
    Attributes:
        id (UUID | Unset):
        key (str | Unset):
        state (BreakerState | Unset):
        failure_count (int | Unset):
        failure_threshold (int | Unset):
        opened_at (datetime.datetime | None | Unset):
        reset_timeout_seconds (float | Unset):
        half_open_max_calls (int | Unset):
        last_failure_at (datetime.datetime | None | Unset):
        last_error (None | str | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
    """

    id: UUID | Unset = UNSET
    key: str | Unset = UNSET
    state: BreakerState | Unset = UNSET
    failure_count: int | Unset = UNSET
    failure_threshold: int | Unset = UNSET
    opened_at: datetime.datetime | None | Unset = UNSET
    reset_timeout_seconds: float | Unset = UNSET
    half_open_max_calls: int | Unset = UNSET
    last_failure_at: datetime.datetime | None | Unset = UNSET
    last_error: None | str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        key = self.key

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        failure_count = self.failure_count

        failure_threshold = self.failure_threshold

        opened_at: None | str | Unset
        if isinstance(self.opened_at, Unset):
            opened_at = UNSET
        elif isinstance(self.opened_at, datetime.datetime):
            opened_at = self.opened_at.isoformat()
        else:
            opened_at = self.opened_at

        reset_timeout_seconds = self.reset_timeout_seconds

        half_open_max_calls = self.half_open_max_calls

        last_failure_at: None | str | Unset
        if isinstance(self.last_failure_at, Unset):
            last_failure_at = UNSET
        elif isinstance(self.last_failure_at, datetime.datetime):
            last_failure_at = self.last_failure_at.isoformat()
        else:
            last_failure_at = self.last_failure_at

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if key is not UNSET:
            field_dict["key"] = key
        if state is not UNSET:
            field_dict["state"] = state
        if failure_count is not UNSET:
            field_dict["failureCount"] = failure_count
        if failure_threshold is not UNSET:
            field_dict["failureThreshold"] = failure_threshold
        if opened_at is not UNSET:
            field_dict["openedAt"] = opened_at
        if reset_timeout_seconds is not UNSET:
            field_dict["resetTimeoutSeconds"] = reset_timeout_seconds
        if half_open_max_calls is not UNSET:
            field_dict["halfOpenMaxCalls"] = half_open_max_calls
        if last_failure_at is not UNSET:
            field_dict["lastFailureAt"] = last_failure_at
        if last_error is not UNSET:
            field_dict["lastError"] = last_error
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        key = d.pop("key", UNSET)

        _state = d.pop("state", UNSET)
        state: BreakerState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = BreakerState(_state)

        failure_count = d.pop("failureCount", UNSET)

        failure_threshold = d.pop("failureThreshold", UNSET)

        def _parse_opened_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                opened_at_type_0 = datetime.datetime.fromisoformat(data)

                return opened_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        opened_at = _parse_opened_at(d.pop("openedAt", UNSET))

        reset_timeout_seconds = d.pop("resetTimeoutSeconds", UNSET)

        half_open_max_calls = d.pop("halfOpenMaxCalls", UNSET)

        def _parse_last_failure_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_failure_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_failure_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_failure_at = _parse_last_failure_at(d.pop("lastFailureAt", UNSET))

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("lastError", UNSET))

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

        circuit_breaker_state = cls(
            id=id,
            key=key,
            state=state,
            failure_count=failure_count,
            failure_threshold=failure_threshold,
            opened_at=opened_at,
            reset_timeout_seconds=reset_timeout_seconds,
            half_open_max_calls=half_open_max_calls,
            last_failure_at=last_failure_at,
            last_error=last_error,
            created_at=created_at,
            updated_at=updated_at,
        )

        return circuit_breaker_state
