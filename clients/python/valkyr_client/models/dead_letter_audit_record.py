from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dead_letter_audit_record_action import DeadLetterAuditRecordAction
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dead_letter_audit_record_changes_type_0 import DeadLetterAuditRecordChangesType0


T = TypeVar("T", bound="DeadLetterAuditRecord")


@_attrs_define
class DeadLetterAuditRecord:
    """
    Attributes:
        action (DeadLetterAuditRecordAction):
        actor (str):
        at (datetime.datetime):
        notes (None | str | Unset):
        changes (DeadLetterAuditRecordChangesType0 | None | Unset): What changed (the input overrides)
        inputs_hash_before (None | str | Unset):
        inputs_hash_after (None | str | Unset):
        new_run_id (None | Unset | UUID):
    """

    action: DeadLetterAuditRecordAction
    actor: str
    at: datetime.datetime
    notes: None | str | Unset = UNSET
    changes: DeadLetterAuditRecordChangesType0 | None | Unset = UNSET
    inputs_hash_before: None | str | Unset = UNSET
    inputs_hash_after: None | str | Unset = UNSET
    new_run_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.dead_letter_audit_record_changes_type_0 import (
            DeadLetterAuditRecordChangesType0,  # noqa: PLC0415
        )

        action = self.action.value

        actor = self.actor

        at = self.at.isoformat()

        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes

        changes: dict[str, Any] | None | Unset
        if isinstance(self.changes, Unset):
            changes = UNSET
        elif isinstance(self.changes, DeadLetterAuditRecordChangesType0):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        inputs_hash_before: None | str | Unset
        if isinstance(self.inputs_hash_before, Unset):
            inputs_hash_before = UNSET
        else:
            inputs_hash_before = self.inputs_hash_before

        inputs_hash_after: None | str | Unset
        if isinstance(self.inputs_hash_after, Unset):
            inputs_hash_after = UNSET
        else:
            inputs_hash_after = self.inputs_hash_after

        new_run_id: None | str | Unset
        if isinstance(self.new_run_id, Unset):
            new_run_id = UNSET
        elif isinstance(self.new_run_id, UUID):
            new_run_id = str(self.new_run_id)
        else:
            new_run_id = self.new_run_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
            }
        )
        if notes is not UNSET:
            field_dict["notes"] = notes
        if changes is not UNSET:
            field_dict["changes"] = changes
        if inputs_hash_before is not UNSET:
            field_dict["inputsHashBefore"] = inputs_hash_before
        if inputs_hash_after is not UNSET:
            field_dict["inputsHashAfter"] = inputs_hash_after
        if new_run_id is not UNSET:
            field_dict["newRunId"] = new_run_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_audit_record_changes_type_0 import (
            DeadLetterAuditRecordChangesType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        action = DeadLetterAuditRecordAction(d.pop("action"))

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))

        def _parse_changes(data: object) -> DeadLetterAuditRecordChangesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_0 = DeadLetterAuditRecordChangesType0.from_dict(data)

                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DeadLetterAuditRecordChangesType0 | None | Unset, data)

        changes = _parse_changes(d.pop("changes", UNSET))

        def _parse_inputs_hash_before(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        inputs_hash_before = _parse_inputs_hash_before(d.pop("inputsHashBefore", UNSET))

        def _parse_inputs_hash_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        inputs_hash_after = _parse_inputs_hash_after(d.pop("inputsHashAfter", UNSET))

        def _parse_new_run_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                new_run_id_type_0 = UUID(data)

                return new_run_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        new_run_id = _parse_new_run_id(d.pop("newRunId", UNSET))

        dead_letter_audit_record = cls(
            action=action,
            actor=actor,
            at=at,
            notes=notes,
            changes=changes,
            inputs_hash_before=inputs_hash_before,
            inputs_hash_after=inputs_hash_after,
            new_run_id=new_run_id,
        )

        dead_letter_audit_record.additional_properties = d
        return dead_letter_audit_record

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
