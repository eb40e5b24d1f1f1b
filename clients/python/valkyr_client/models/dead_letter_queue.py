from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.dead_letter_status import DeadLetterStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dead_letter_audit_record import DeadLetterAuditRecord
    from ..models.dead_letter_queue_config import DeadLetterQueueConfig
    from ..models.dead_letter_queue_error_type_0 import DeadLetterQueueErrorType0
    from ..models.dead_letter_queue_inputs import DeadLetterQueueInputs


T = TypeVar("T", bound="DeadLetterQueue")


@_attrs_define
class DeadLetterQueue:
    """
    Attributes:
        id (UUID | Unset):
        run_id (UUID | Unset):
        execution_id (UUID | Unset):
        step_key (str | Unset):
        reason (str | Unset): permanent_error | attempts_exhausted | lease_expired
        error (DeadLetterQueueErrorType0 | None | Unset):
        attempts (int | Unset):
        inputs (DeadLetterQueueInputs | Unset):
        config (DeadLetterQueueConfig | Unset):
        status (DeadLetterStatus | Unset):
        resolution_notes (None | str | Unset):
        resolved_by (None | str | Unset):
        resolved_at (datetime.datetime | None | Unset):
        created_at (datetime.datetime | Unset):
        audit (list[DeadLetterAuditRecord] | Unset):
    """

    id: UUID | Unset = UNSET
    run_id: UUID | Unset = UNSET
    execution_id: UUID | Unset = UNSET
    step_key: str | Unset = UNSET
    reason: str | Unset = UNSET
    error: DeadLetterQueueErrorType0 | None | Unset = UNSET
    attempts: int | Unset = UNSET
    inputs: DeadLetterQueueInputs | Unset = UNSET
    config: DeadLetterQueueConfig | Unset = UNSET
    status: DeadLetterStatus | Unset = UNSET
    resolution_notes: None | str | Unset = UNSET
    resolved_by: None | str | Unset = UNSET
    resolved_at: datetime.datetime | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    audit: list[DeadLetterAuditRecord] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.dead_letter_queue_error_type_0 import DeadLetterQueueErrorType0  # noqa: PLC0415

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        run_id: str | Unset = UNSET
        if not isinstance(self.run_id, Unset):
            run_id = str(self.run_id)

        execution_id: str | Unset = UNSET
        if not isinstance(self.execution_id, Unset):
            execution_id = str(self.execution_id)

        step_key = self.step_key

        reason = self.reason

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, DeadLetterQueueErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        attempts = self.attempts

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        resolution_notes: None | str | Unset
        if isinstance(self.resolution_notes, Unset):
            resolution_notes = UNSET
        else:
            resolution_notes = self.resolution_notes

        resolved_by: None | str | Unset
        if isinstance(self.resolved_by, Unset):
            resolved_by = UNSET
        else:
            resolved_by = self.resolved_by

        resolved_at: None | str | Unset
        if isinstance(self.resolved_at, Unset):
            resolved_at = UNSET
        elif isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        audit: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.audit, Unset):
            audit = []
            for audit_item_data in self.audit:
                audit_item = audit_item_data.to_dict()
                audit.append(audit_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if run_id is not UNSET:
            field_dict["runId"] = run_id
        if execution_id is not UNSET:
            field_dict["executionId"] = execution_id
        if step_key is not UNSET:
            field_dict["stepKey"] = step_key
        if reason is not UNSET:
            field_dict["reason"] = reason
        if error is not UNSET:
            field_dict["error"] = error
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if config is not UNSET:
            field_dict["config"] = config
        if status is not UNSET:
            field_dict["status"] = status
        if resolution_notes is not UNSET:
            field_dict["resolutionNotes"] = resolution_notes
        if resolved_by is not UNSET:
            field_dict["resolvedBy"] = resolved_by
        if resolved_at is not UNSET:
            field_dict["resolvedAt"] = resolved_at
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if audit is not UNSET:
            field_dict["audit"] = audit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_audit_record import DeadLetterAuditRecord  # noqa: PLC0415
        from ..models.dead_letter_queue_config import DeadLetterQueueConfig  # noqa: PLC0415
        from ..models.dead_letter_queue_error_type_0 import DeadLetterQueueErrorType0  # noqa: PLC0415
        from ..models.dead_letter_queue_inputs import DeadLetterQueueInputs  # noqa: PLC0415

        d = dict(src_dict)
        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        _run_id = d.pop("runId", UNSET)
        run_id: UUID | Unset
        if isinstance(_run_id, Unset):
            run_id = UNSET
        else:
            run_id = UUID(_run_id)

        _execution_id = d.pop("executionId", UNSET)
        execution_id: UUID | Unset
        if isinstance(_execution_id, Unset):
            execution_id = UNSET
        else:
            execution_id = UUID(_execution_id)

        step_key = d.pop("stepKey", UNSET)

        reason = d.pop("reason", UNSET)

        def _parse_error(data: object) -> DeadLetterQueueErrorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = DeadLetterQueueErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DeadLetterQueueErrorType0 | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        attempts = d.pop("attempts", UNSET)

        _inputs = d.pop("inputs", UNSET)
        inputs: DeadLetterQueueInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = DeadLetterQueueInputs.from_dict(_inputs)

        _config = d.pop("config", UNSET)
        config: DeadLetterQueueConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = DeadLetterQueueConfig.from_dict(_config)

        _status = d.pop("status", UNSET)
        status: DeadLetterStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = DeadLetterStatus(_status)

        def _parse_resolution_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolution_notes = _parse_resolution_notes(d.pop("resolutionNotes", UNSET))

        def _parse_resolved_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_by = _parse_resolved_by(d.pop("resolvedBy", UNSET))

        def _parse_resolved_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resolved_at = _parse_resolved_at(d.pop("resolvedAt", UNSET))

        _created_at = d.pop("createdAt", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _audit = d.pop("audit", UNSET)
        audit: list[DeadLetterAuditRecord] | Unset = UNSET
        if _audit is not UNSET:
            audit = []
            for audit_item_data in _audit:
                audit_item = DeadLetterAuditRecord.from_dict(audit_item_data)

                audit.append(audit_item)

        dead_letter_queue = cls(
            id=id,
            run_id=run_id,
            execution_id=execution_id,
            step_key=step_key,
            reason=reason,
            error=error,
            attempts=attempts,
            inputs=inputs,
            config=config,
            status=status,
            resolution_notes=resolution_notes,
            resolved_by=resolved_by,
            resolved_at=resolved_at,
            created_at=created_at,
            audit=audit,
        )

        return dead_letter_queue
