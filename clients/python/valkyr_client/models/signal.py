from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Signal")


@_attrs_define
class Signal:
    """A signal sent to an execution (`POST /WorkflowExecution/{id}/signal`); a `wait` step with `config.signal` equal to
    `name` consumes it.

        Attributes:
            name (str): The `config.signal` of the wait steps it is for (e.g. `approved`)
            id (UUID | Unset):
            execution_id (UUID | Unset):
            payload (Any | Unset): Any JSON value: the output of the wait step that consumes it
            idempotency_key (None | str | Unset): The Idempotency-Key header it was sent with
            received_at (datetime.datetime | Unset):
            consumed_by_run_id (None | Unset | UUID): The wait run that took it (null: kept for a wait not reached yet)
            consumed_at (datetime.datetime | None | Unset):
            sent_by (None | str | Unset): The name of the API key that sent it
    """

    name: str
    id: UUID | Unset = UNSET
    execution_id: UUID | Unset = UNSET
    payload: Any | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET
    received_at: datetime.datetime | Unset = UNSET
    consumed_by_run_id: None | Unset | UUID = UNSET
    consumed_at: datetime.datetime | None | Unset = UNSET
    sent_by: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        execution_id: str | Unset = UNSET
        if not isinstance(self.execution_id, Unset):
            execution_id = str(self.execution_id)

        payload = self.payload

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        received_at: str | Unset = UNSET
        if not isinstance(self.received_at, Unset):
            received_at = self.received_at.isoformat()

        consumed_by_run_id: None | str | Unset
        if isinstance(self.consumed_by_run_id, Unset):
            consumed_by_run_id = UNSET
        elif isinstance(self.consumed_by_run_id, UUID):
            consumed_by_run_id = str(self.consumed_by_run_id)
        else:
            consumed_by_run_id = self.consumed_by_run_id

        consumed_at: None | str | Unset
        if isinstance(self.consumed_at, Unset):
            consumed_at = UNSET
        elif isinstance(self.consumed_at, datetime.datetime):
            consumed_at = self.consumed_at.isoformat()
        else:
            consumed_at = self.consumed_at

        sent_by: None | str | Unset
        if isinstance(self.sent_by, Unset):
            sent_by = UNSET
        else:
            sent_by = self.sent_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if execution_id is not UNSET:
            field_dict["executionId"] = execution_id
        if payload is not UNSET:
            field_dict["payload"] = payload
        if idempotency_key is not UNSET:
            field_dict["idempotencyKey"] = idempotency_key
        if received_at is not UNSET:
            field_dict["receivedAt"] = received_at
        if consumed_by_run_id is not UNSET:
            field_dict["consumedByRunId"] = consumed_by_run_id
        if consumed_at is not UNSET:
            field_dict["consumedAt"] = consumed_at
        if sent_by is not UNSET:
            field_dict["sentBy"] = sent_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        _execution_id = d.pop("executionId", UNSET)
        execution_id: UUID | Unset
        if isinstance(_execution_id, Unset):
            execution_id = UNSET
        else:
            execution_id = UUID(_execution_id)

        payload = d.pop("payload", UNSET)

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotencyKey", UNSET))

        _received_at = d.pop("receivedAt", UNSET)
        received_at: datetime.datetime | Unset
        if isinstance(_received_at, Unset):
            received_at = UNSET
        else:
            received_at = datetime.datetime.fromisoformat(_received_at)

        def _parse_consumed_by_run_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                consumed_by_run_id_type_0 = UUID(data)

                return consumed_by_run_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        consumed_by_run_id = _parse_consumed_by_run_id(d.pop("consumedByRunId", UNSET))

        def _parse_consumed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                consumed_at_type_0 = datetime.datetime.fromisoformat(data)

                return consumed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        consumed_at = _parse_consumed_at(d.pop("consumedAt", UNSET))

        def _parse_sent_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sent_by = _parse_sent_by(d.pop("sentBy", UNSET))

        signal = cls(
            name=name,
            id=id,
            execution_id=execution_id,
            payload=payload,
            idempotency_key=idempotency_key,
            received_at=received_at,
            consumed_by_run_id=consumed_by_run_id,
            consumed_at=consumed_at,
            sent_by=sent_by,
        )

        return signal
