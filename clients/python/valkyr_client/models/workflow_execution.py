from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.execution_status import ExecutionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.execution_control_record import ExecutionControlRecord
    from ..models.workflow_execution_error_type_0 import WorkflowExecutionErrorType0
    from ..models.workflow_execution_inputs import WorkflowExecutionInputs
    from ..models.workflow_execution_outputs_type_0 import WorkflowExecutionOutputsType0


T = TypeVar("T", bound="WorkflowExecution")


@_attrs_define
class WorkflowExecution:
    """
    Attributes:
        workflow_id (UUID):
        id (UUID | Unset):
        workflow_version (int | Unset):
        status (ExecutionStatus | Unset):
        inputs (WorkflowExecutionInputs | Unset):
        priority (int | Unset): Higher first: the execution's runs are claimed before those of lower priority, oldest
            first within one priority. A run ready for longer than VALKYR_PRIORITY_AGING_SECONDS rises one level per such
            interval (up to 9), so low priorities are delayed, never starved. Default: 5.
        concurrency_key (None | str | Unset): The workflow's concurrency key rendered with this execution's inputs
        outputs (None | Unset | WorkflowExecutionOutputsType0):
        error (None | Unset | WorkflowExecutionErrorType0):
        idempotency_key (str | Unset): The Idempotency-Key header, or the content hash
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
        started_at (datetime.datetime | None | Unset):
        finished_at (datetime.datetime | None | Unset):
        start_at (datetime.datetime | None | Unset): Delayed start: the execution stays PENDING until then, when its
            first runs become ready (dispatch latency counts from it). Not with delaySeconds.
        delay_seconds (float | Unset): Delayed start this many seconds from now (sets startAt; write only). Not with
            startAt.
        schedule_id (None | Unset | UUID): The schedule whose firing started the execution
        control_history (list[ExecutionControlRecord] | Unset): Who paused, resumed or cancelled the execution, and when
            (shown by GET)
    """

    workflow_id: UUID
    id: UUID | Unset = UNSET
    workflow_version: int | Unset = UNSET
    status: ExecutionStatus | Unset = UNSET
    inputs: WorkflowExecutionInputs | Unset = UNSET
    priority: int | Unset = 5
    concurrency_key: None | str | Unset = UNSET
    outputs: None | Unset | WorkflowExecutionOutputsType0 = UNSET
    error: None | Unset | WorkflowExecutionErrorType0 = UNSET
    idempotency_key: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    start_at: datetime.datetime | None | Unset = UNSET
    delay_seconds: float | Unset = UNSET
    schedule_id: None | Unset | UUID = UNSET
    control_history: list[ExecutionControlRecord] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.workflow_execution_error_type_0 import WorkflowExecutionErrorType0  # noqa: PLC0415
        from ..models.workflow_execution_outputs_type_0 import WorkflowExecutionOutputsType0  # noqa: PLC0415

        workflow_id = str(self.workflow_id)

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        workflow_version = self.workflow_version

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        priority = self.priority

        concurrency_key: None | str | Unset
        if isinstance(self.concurrency_key, Unset):
            concurrency_key = UNSET
        else:
            concurrency_key = self.concurrency_key

        outputs: dict[str, Any] | None | Unset
        if isinstance(self.outputs, Unset):
            outputs = UNSET
        elif isinstance(self.outputs, WorkflowExecutionOutputsType0):
            outputs = self.outputs.to_dict()
        else:
            outputs = self.outputs

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, WorkflowExecutionErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        idempotency_key = self.idempotency_key

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

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

        start_at: None | str | Unset
        if isinstance(self.start_at, Unset):
            start_at = UNSET
        elif isinstance(self.start_at, datetime.datetime):
            start_at = self.start_at.isoformat()
        else:
            start_at = self.start_at

        delay_seconds = self.delay_seconds

        schedule_id: None | str | Unset
        if isinstance(self.schedule_id, Unset):
            schedule_id = UNSET
        elif isinstance(self.schedule_id, UUID):
            schedule_id = str(self.schedule_id)
        else:
            schedule_id = self.schedule_id

        control_history: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.control_history, Unset):
            control_history = []
            for control_history_item_data in self.control_history:
                control_history_item = control_history_item_data.to_dict()
                control_history.append(control_history_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "workflowId": workflow_id,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if workflow_version is not UNSET:
            field_dict["workflowVersion"] = workflow_version
        if status is not UNSET:
            field_dict["status"] = status
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if priority is not UNSET:
            field_dict["priority"] = priority
        if concurrency_key is not UNSET:
            field_dict["concurrencyKey"] = concurrency_key
        if outputs is not UNSET:
            field_dict["outputs"] = outputs
        if error is not UNSET:
            field_dict["error"] = error
        if idempotency_key is not UNSET:
            field_dict["idempotencyKey"] = idempotency_key
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at
        if started_at is not UNSET:
            field_dict["startedAt"] = started_at
        if finished_at is not UNSET:
            field_dict["finishedAt"] = finished_at
        if start_at is not UNSET:
            field_dict["startAt"] = start_at
        if delay_seconds is not UNSET:
            field_dict["delaySeconds"] = delay_seconds
        if schedule_id is not UNSET:
            field_dict["scheduleId"] = schedule_id
        if control_history is not UNSET:
            field_dict["controlHistory"] = control_history

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.execution_control_record import ExecutionControlRecord  # noqa: PLC0415
        from ..models.workflow_execution_error_type_0 import WorkflowExecutionErrorType0  # noqa: PLC0415
        from ..models.workflow_execution_inputs import WorkflowExecutionInputs  # noqa: PLC0415
        from ..models.workflow_execution_outputs_type_0 import WorkflowExecutionOutputsType0  # noqa: PLC0415

        d = dict(src_dict)
        workflow_id = UUID(d.pop("workflowId"))

        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        workflow_version = d.pop("workflowVersion", UNSET)

        _status = d.pop("status", UNSET)
        status: ExecutionStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = ExecutionStatus(_status)

        _inputs = d.pop("inputs", UNSET)
        inputs: WorkflowExecutionInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = WorkflowExecutionInputs.from_dict(_inputs)

        priority = d.pop("priority", UNSET)

        def _parse_concurrency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        concurrency_key = _parse_concurrency_key(d.pop("concurrencyKey", UNSET))

        def _parse_outputs(data: object) -> None | Unset | WorkflowExecutionOutputsType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                outputs_type_0 = WorkflowExecutionOutputsType0.from_dict(data)

                return outputs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WorkflowExecutionOutputsType0, data)

        outputs = _parse_outputs(d.pop("outputs", UNSET))

        def _parse_error(data: object) -> None | Unset | WorkflowExecutionErrorType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = WorkflowExecutionErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WorkflowExecutionErrorType0, data)

        error = _parse_error(d.pop("error", UNSET))

        idempotency_key = d.pop("idempotencyKey", UNSET)

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

        def _parse_start_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_at_type_0 = datetime.datetime.fromisoformat(data)

                return start_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start_at = _parse_start_at(d.pop("startAt", UNSET))

        delay_seconds = d.pop("delaySeconds", UNSET)

        def _parse_schedule_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                schedule_id_type_0 = UUID(data)

                return schedule_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        schedule_id = _parse_schedule_id(d.pop("scheduleId", UNSET))

        _control_history = d.pop("controlHistory", UNSET)
        control_history: list[ExecutionControlRecord] | Unset = UNSET
        if _control_history is not UNSET:
            control_history = []
            for control_history_item_data in _control_history:
                control_history_item = ExecutionControlRecord.from_dict(control_history_item_data)

                control_history.append(control_history_item)

        workflow_execution = cls(
            workflow_id=workflow_id,
            id=id,
            workflow_version=workflow_version,
            status=status,
            inputs=inputs,
            priority=priority,
            concurrency_key=concurrency_key,
            outputs=outputs,
            error=error,
            idempotency_key=idempotency_key,
            created_at=created_at,
            updated_at=updated_at,
            started_at=started_at,
            finished_at=finished_at,
            start_at=start_at,
            delay_seconds=delay_seconds,
            schedule_id=schedule_id,
            control_history=control_history,
        )

        return workflow_execution
