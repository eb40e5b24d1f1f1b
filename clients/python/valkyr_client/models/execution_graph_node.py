from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.run_status import RunStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecutionGraphNode")


@_attrs_define
class ExecutionGraphNode:
    """
    Attributes:
        key (str):
        module (str):
        depends_on (list[str]):
        status (None | RunStatus): The latest run's status; null while the step has no run
        attempts (int): The latest run's attempt number (0: no run yet)
        circuit_breaker (None | str | Unset):
        run_id (None | Unset | UUID): The latest run
        available_at (datetime.datetime | None | Unset):
        claimed_at (datetime.datetime | None | Unset):
        finished_at (datetime.datetime | None | Unset):
    """

    key: str
    module: str
    depends_on: list[str]
    status: None | RunStatus
    attempts: int
    circuit_breaker: None | str | Unset = UNSET
    run_id: None | Unset | UUID = UNSET
    available_at: datetime.datetime | None | Unset = UNSET
    claimed_at: datetime.datetime | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        module = self.module

        depends_on = self.depends_on

        status: None | str
        if isinstance(self.status, RunStatus):
            status = self.status.value
        else:
            status = self.status

        attempts = self.attempts

        circuit_breaker: None | str | Unset
        if isinstance(self.circuit_breaker, Unset):
            circuit_breaker = UNSET
        else:
            circuit_breaker = self.circuit_breaker

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        elif isinstance(self.run_id, UUID):
            run_id = str(self.run_id)
        else:
            run_id = self.run_id

        available_at: None | str | Unset
        if isinstance(self.available_at, Unset):
            available_at = UNSET
        elif isinstance(self.available_at, datetime.datetime):
            available_at = self.available_at.isoformat()
        else:
            available_at = self.available_at

        claimed_at: None | str | Unset
        if isinstance(self.claimed_at, Unset):
            claimed_at = UNSET
        elif isinstance(self.claimed_at, datetime.datetime):
            claimed_at = self.claimed_at.isoformat()
        else:
            claimed_at = self.claimed_at

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "module": module,
                "dependsOn": depends_on,
                "status": status,
                "attempts": attempts,
            }
        )
        if circuit_breaker is not UNSET:
            field_dict["circuitBreaker"] = circuit_breaker
        if run_id is not UNSET:
            field_dict["runId"] = run_id
        if available_at is not UNSET:
            field_dict["availableAt"] = available_at
        if claimed_at is not UNSET:
            field_dict["claimedAt"] = claimed_at
        if finished_at is not UNSET:
            field_dict["finishedAt"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        module = d.pop("module")

        depends_on = cast(list[str], d.pop("dependsOn"))

        def _parse_status(data: object) -> None | RunStatus:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = RunStatus(data)

                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunStatus, data)

        status = _parse_status(d.pop("status"))

        attempts = d.pop("attempts")

        def _parse_circuit_breaker(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        circuit_breaker = _parse_circuit_breaker(d.pop("circuitBreaker", UNSET))

        def _parse_run_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                run_id_type_0 = UUID(data)

                return run_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))

        def _parse_available_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                available_at_type_0 = datetime.datetime.fromisoformat(data)

                return available_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        available_at = _parse_available_at(d.pop("availableAt", UNSET))

        def _parse_claimed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                claimed_at_type_0 = datetime.datetime.fromisoformat(data)

                return claimed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        claimed_at = _parse_claimed_at(d.pop("claimedAt", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finishedAt", UNSET))

        execution_graph_node = cls(
            key=key,
            module=module,
            depends_on=depends_on,
            status=status,
            attempts=attempts,
            circuit_breaker=circuit_breaker,
            run_id=run_id,
            available_at=available_at,
            claimed_at=claimed_at,
            finished_at=finished_at,
        )

        execution_graph_node.additional_properties = d
        return execution_graph_node

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
