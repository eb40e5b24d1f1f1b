from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.run_status import RunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_config import RunConfig
    from ..models.run_error_type_0 import RunErrorType0
    from ..models.run_inputs import RunInputs


T = TypeVar("T", bound="Run")


@_attrs_define
class Run:
    """
    Attributes:
        id (UUID | Unset):
        execution_id (UUID | Unset):
        step_key (str | Unset):
        module (str | Unset):
        attempt (int | Unset):
        status (RunStatus | Unset): `WAITING`: a run of the built-in `wait` module, parked until a signal of its name
            arrives (then SUCCEEDED with the signal's payload as output) or its `availableAt` (the wait's deadline) passes
            (then DEAD_LETTERED). No runner ever claims it.
        inputs (RunInputs | Unset):
        config (RunConfig | Unset):
        output (Any | Unset): Any JSON value the module returned
        error (None | RunErrorType0 | Unset):
        idempotency_key (str | Unset):
        lease_owner (None | str | Unset):
        lease_token (None | str | Unset): Only in the answer to the claim that leased the run: the proof of that lease,
            `<fencing number>.<128 random bits in hex>`, to send back with heartbeat, complete and fail. Stored only as a
            hash; null everywhere else (GET, lists, the answers to complete and fail).
        lease_expires_at (datetime.datetime | None | Unset): The lease of the runner holding the run (heartbeats extend
            the runner's lease, not each run's)
        heartbeat_at (datetime.datetime | None | Unset):
        cancel_requested (bool | Unset):
        created_at (datetime.datetime | Unset):
        available_at (datetime.datetime | Unset):
        claimed_at (datetime.datetime | None | Unset):
        started_at (datetime.datetime | None | Unset):
        finished_at (datetime.datetime | None | Unset):
    """

    id: UUID | Unset = UNSET
    execution_id: UUID | Unset = UNSET
    step_key: str | Unset = UNSET
    module: str | Unset = UNSET
    attempt: int | Unset = UNSET
    status: RunStatus | Unset = UNSET
    inputs: RunInputs | Unset = UNSET
    config: RunConfig | Unset = UNSET
    output: Any | Unset = UNSET
    error: None | RunErrorType0 | Unset = UNSET
    idempotency_key: str | Unset = UNSET
    lease_owner: None | str | Unset = UNSET
    lease_token: None | str | Unset = UNSET
    lease_expires_at: datetime.datetime | None | Unset = UNSET
    heartbeat_at: datetime.datetime | None | Unset = UNSET
    cancel_requested: bool | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    available_at: datetime.datetime | Unset = UNSET
    claimed_at: datetime.datetime | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.run_error_type_0 import RunErrorType0  # noqa: PLC0415

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        execution_id: str | Unset = UNSET
        if not isinstance(self.execution_id, Unset):
            execution_id = str(self.execution_id)

        step_key = self.step_key

        module = self.module

        attempt = self.attempt

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        output = self.output

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, RunErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        idempotency_key = self.idempotency_key

        lease_owner: None | str | Unset
        if isinstance(self.lease_owner, Unset):
            lease_owner = UNSET
        else:
            lease_owner = self.lease_owner

        lease_token: None | str | Unset
        if isinstance(self.lease_token, Unset):
            lease_token = UNSET
        else:
            lease_token = self.lease_token

        lease_expires_at: None | str | Unset
        if isinstance(self.lease_expires_at, Unset):
            lease_expires_at = UNSET
        elif isinstance(self.lease_expires_at, datetime.datetime):
            lease_expires_at = self.lease_expires_at.isoformat()
        else:
            lease_expires_at = self.lease_expires_at

        heartbeat_at: None | str | Unset
        if isinstance(self.heartbeat_at, Unset):
            heartbeat_at = UNSET
        elif isinstance(self.heartbeat_at, datetime.datetime):
            heartbeat_at = self.heartbeat_at.isoformat()
        else:
            heartbeat_at = self.heartbeat_at

        cancel_requested = self.cancel_requested

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        available_at: str | Unset = UNSET
        if not isinstance(self.available_at, Unset):
            available_at = self.available_at.isoformat()

        claimed_at: None | str | Unset
        if isinstance(self.claimed_at, Unset):
            claimed_at = UNSET
        elif isinstance(self.claimed_at, datetime.datetime):
            claimed_at = self.claimed_at.isoformat()
        else:
            claimed_at = self.claimed_at

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if execution_id is not UNSET:
            field_dict["executionId"] = execution_id
        if step_key is not UNSET:
            field_dict["stepKey"] = step_key
        if module is not UNSET:
            field_dict["module"] = module
        if attempt is not UNSET:
            field_dict["attempt"] = attempt
        if status is not UNSET:
            field_dict["status"] = status
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if config is not UNSET:
            field_dict["config"] = config
        if output is not UNSET:
            field_dict["output"] = output
        if error is not UNSET:
            field_dict["error"] = error
        if idempotency_key is not UNSET:
            field_dict["idempotencyKey"] = idempotency_key
        if lease_owner is not UNSET:
            field_dict["leaseOwner"] = lease_owner
        if lease_token is not UNSET:
            field_dict["leaseToken"] = lease_token
        if lease_expires_at is not UNSET:
            field_dict["leaseExpiresAt"] = lease_expires_at
        if heartbeat_at is not UNSET:
            field_dict["heartbeatAt"] = heartbeat_at
        if cancel_requested is not UNSET:
            field_dict["cancelRequested"] = cancel_requested
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if available_at is not UNSET:
            field_dict["availableAt"] = available_at
        if claimed_at is not UNSET:
            field_dict["claimedAt"] = claimed_at
        if started_at is not UNSET:
            field_dict["startedAt"] = started_at
        if finished_at is not UNSET:
            field_dict["finishedAt"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_config import RunConfig  # noqa: PLC0415
        from ..models.run_error_type_0 import RunErrorType0  # noqa: PLC0415
        from ..models.run_inputs import RunInputs  # noqa: PLC0415

        d = dict(src_dict)
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

        step_key = d.pop("stepKey", UNSET)

        module = d.pop("module", UNSET)

        attempt = d.pop("attempt", UNSET)

        _status = d.pop("status", UNSET)
        status: RunStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = RunStatus(_status)

        _inputs = d.pop("inputs", UNSET)
        inputs: RunInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = RunInputs.from_dict(_inputs)

        _config = d.pop("config", UNSET)
        config: RunConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = RunConfig.from_dict(_config)

        output = d.pop("output", UNSET)

        def _parse_error(data: object) -> None | RunErrorType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = RunErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunErrorType0 | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        idempotency_key = d.pop("idempotencyKey", UNSET)

        def _parse_lease_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lease_owner = _parse_lease_owner(d.pop("leaseOwner", UNSET))

        def _parse_lease_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lease_token = _parse_lease_token(d.pop("leaseToken", UNSET))

        def _parse_lease_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return lease_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        lease_expires_at = _parse_lease_expires_at(d.pop("leaseExpiresAt", UNSET))

        def _parse_heartbeat_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                heartbeat_at_type_0 = datetime.datetime.fromisoformat(data)

                return heartbeat_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        heartbeat_at = _parse_heartbeat_at(d.pop("heartbeatAt", UNSET))

        cancel_requested = d.pop("cancelRequested", UNSET)

        _created_at = d.pop("createdAt", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _available_at = d.pop("availableAt", UNSET)
        available_at: datetime.datetime | Unset
        if isinstance(_available_at, Unset):
            available_at = UNSET
        else:
            available_at = datetime.datetime.fromisoformat(_available_at)

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

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("startedAt", UNSET))

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

        run = cls(
            id=id,
            execution_id=execution_id,
            step_key=step_key,
            module=module,
            attempt=attempt,
            status=status,
            inputs=inputs,
            config=config,
            output=output,
            error=error,
            idempotency_key=idempotency_key,
            lease_owner=lease_owner,
            lease_token=lease_token,
            lease_expires_at=lease_expires_at,
            heartbeat_at=heartbeat_at,
            cancel_requested=cancel_requested,
            created_at=created_at,
            available_at=available_at,
            claimed_at=claimed_at,
            started_at=started_at,
            finished_at=finished_at,
        )

        return run
