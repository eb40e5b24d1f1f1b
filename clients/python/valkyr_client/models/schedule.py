from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.schedule_overlap import ScheduleOverlap
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.schedule_inputs import ScheduleInputs


T = TypeVar("T", bound="Schedule")


@_attrs_define
class Schedule:
    """Exactly one of `cron` and `intervalSeconds`. Interval firings fall on
    multiples of intervalSeconds since the Unix epoch. A cron time that does
    not exist in `timezone` (the hour skipped when clocks go forward) fires at
    the instant it maps to with the offset before the change; a repeated one
    (clocks go back) fires once, the first time.

        Attributes:
            workflow_id (UUID):
            id (UUID | Unset):
            cron (None | str | Unset): 5 fields: minute hour day-of-month month day-of-week
            timezone (str | Unset): IANA zone the cron fields are read in Default: 'UTC'.
            interval_seconds (int | None | Unset):
            inputs (ScheduleInputs | Unset):
            paused (bool | Unset):  Default: False.
            overlap (ScheduleOverlap | Unset): SKIP: no firing while this schedule's previous execution is not finished
                Default: ScheduleOverlap.ALLOW.
            catchup_window_seconds (int | Unset): After a downtime, the missed firings at most this old run once each; older
                ones are skipped. Default: 60.
            next_fire_at (datetime.datetime | None | Unset):
            last_fire_at (datetime.datetime | None | Unset):
            created_at (datetime.datetime | Unset):
            updated_at (datetime.datetime | Unset):
    """

    workflow_id: UUID
    id: UUID | Unset = UNSET
    cron: None | str | Unset = UNSET
    timezone: str | Unset = "UTC"
    interval_seconds: int | None | Unset = UNSET
    inputs: ScheduleInputs | Unset = UNSET
    paused: bool | Unset = False
    overlap: ScheduleOverlap | Unset = ScheduleOverlap.ALLOW
    catchup_window_seconds: int | Unset = 60
    next_fire_at: datetime.datetime | None | Unset = UNSET
    last_fire_at: datetime.datetime | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        workflow_id = str(self.workflow_id)

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        cron: None | str | Unset
        if isinstance(self.cron, Unset):
            cron = UNSET
        else:
            cron = self.cron

        timezone = self.timezone

        interval_seconds: int | None | Unset
        if isinstance(self.interval_seconds, Unset):
            interval_seconds = UNSET
        else:
            interval_seconds = self.interval_seconds

        inputs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = self.inputs.to_dict()

        paused = self.paused

        overlap: str | Unset = UNSET
        if not isinstance(self.overlap, Unset):
            overlap = self.overlap.value

        catchup_window_seconds = self.catchup_window_seconds

        next_fire_at: None | str | Unset
        if isinstance(self.next_fire_at, Unset):
            next_fire_at = UNSET
        elif isinstance(self.next_fire_at, datetime.datetime):
            next_fire_at = self.next_fire_at.isoformat()
        else:
            next_fire_at = self.next_fire_at

        last_fire_at: None | str | Unset
        if isinstance(self.last_fire_at, Unset):
            last_fire_at = UNSET
        elif isinstance(self.last_fire_at, datetime.datetime):
            last_fire_at = self.last_fire_at.isoformat()
        else:
            last_fire_at = self.last_fire_at

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "workflowId": workflow_id,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if cron is not UNSET:
            field_dict["cron"] = cron
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if interval_seconds is not UNSET:
            field_dict["intervalSeconds"] = interval_seconds
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if paused is not UNSET:
            field_dict["paused"] = paused
        if overlap is not UNSET:
            field_dict["overlap"] = overlap
        if catchup_window_seconds is not UNSET:
            field_dict["catchupWindowSeconds"] = catchup_window_seconds
        if next_fire_at is not UNSET:
            field_dict["nextFireAt"] = next_fire_at
        if last_fire_at is not UNSET:
            field_dict["lastFireAt"] = last_fire_at
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.schedule_inputs import ScheduleInputs  # noqa: PLC0415

        d = dict(src_dict)
        workflow_id = UUID(d.pop("workflowId"))

        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        def _parse_cron(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cron = _parse_cron(d.pop("cron", UNSET))

        timezone = d.pop("timezone", UNSET)

        def _parse_interval_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        interval_seconds = _parse_interval_seconds(d.pop("intervalSeconds", UNSET))

        _inputs = d.pop("inputs", UNSET)
        inputs: ScheduleInputs | Unset
        if isinstance(_inputs, Unset):
            inputs = UNSET
        else:
            inputs = ScheduleInputs.from_dict(_inputs)

        paused = d.pop("paused", UNSET)

        _overlap = d.pop("overlap", UNSET)
        overlap: ScheduleOverlap | Unset
        if isinstance(_overlap, Unset):
            overlap = UNSET
        else:
            overlap = ScheduleOverlap(_overlap)

        catchup_window_seconds = d.pop("catchupWindowSeconds", UNSET)

        def _parse_next_fire_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_fire_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_fire_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_fire_at = _parse_next_fire_at(d.pop("nextFireAt", UNSET))

        def _parse_last_fire_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_fire_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_fire_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_fire_at = _parse_last_fire_at(d.pop("lastFireAt", UNSET))

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

        schedule = cls(
            workflow_id=workflow_id,
            id=id,
            cron=cron,
            timezone=timezone,
            interval_seconds=interval_seconds,
            inputs=inputs,
            paused=paused,
            overlap=overlap,
            catchup_window_seconds=catchup_window_seconds,
            next_fire_at=next_fire_at,
            last_fire_at=last_fire_at,
            created_at=created_at,
            updated_at=updated_at,
        )

        return schedule
