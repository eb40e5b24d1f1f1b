"""The one serializer of each resource the API shows, as a model of generated/models.py.

Stored resources start from their generated serializer (generated/serializers.py, a
row's columns to the model); here they get the fields no column holds. Every
handler that answers a resource (GET, a list item, the answer to a write or an
engine operation) builds it here, so they all carry the same fields. `ok()` dumps
the model once, by alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generated import models
from generated import serializers as rows
from generated.constants import RunStatus
from generated.serializers import build, from_row

workflow = rows.workflow
circuit_breaker_state = rows.circuit_breaker_state
api_key = rows.api_key
signal = rows.signal

# API field → column, for the records that are not resources of their own
WORKFLOW_VERSION_FIELDS = {
    "workflowId": "workflow_id",
    "version": "version",
    "name": "name",
    "description": "description",
    "steps": "steps",
    "createdAt": "created_at",
}
CONTROL_RECORD_FIELDS = {
    "action": "action",
    "actor": "actor",
    "at": "at",
    "fromStatus": "from_status",
    "toStatus": "to_status",
    "runsChanged": "runs_changed",
}
DEAD_LETTER_AUDIT_FIELDS = {
    "action": "action",
    "actor": "actor",
    "at": "at",
    "notes": "notes",
    "changes": "changes",
    "inputsHashBefore": "inputs_hash_before",
    "inputsHashAfter": "inputs_hash_after",
    "newRunId": "new_run_id",
}


def workflow_version(row: Mapping[str, Any]) -> models.WorkflowVersion:
    """A `workflow_versions` row: a workflow as one of its versions was saved."""
    return from_row(models.WorkflowVersion, WORKFLOW_VERSION_FIELDS, row, {})


def control_record(row: Mapping[str, Any]) -> models.ExecutionControlRecord:
    """An `execution_audit` row: who paused, resumed or cancelled, and when."""
    return from_row(models.ExecutionControlRecord, CONTROL_RECORD_FIELDS, row, {})


def workflow_execution(
    row: Mapping[str, Any], history: list[Mapping[str, Any]] | None = None
) -> models.WorkflowExecution:
    """An execution; `history`, its control records, only where they were read (GET)."""
    if history is None:
        return rows.workflow_execution(row)
    return rows.workflow_execution(row, controlHistory=[control_record(h) for h in history])


def run(row: Mapping[str, Any], lease_token: str | None = None) -> models.Run:
    """A run, with the lease of the runner holding it (`lease_expires_at`,
    `lease_heartbeat_at` beside the run's columns) while it is LEASED. The lease token
    is shown once, by the claim that leased the run: everyone else (viewers read runs
    too) sees null."""
    leased = row["status"] == RunStatus.LEASED
    return rows.run(
        row,
        leaseToken=lease_token,
        leaseExpiresAt=row.get("lease_expires_at") if leased else None,
        heartbeatAt=row.get("lease_heartbeat_at") if leased else None,
    )


def dead_letter(row: Mapping[str, Any], audit: list[Mapping[str, Any]]) -> models.DeadLetterQueue:
    """A dead letter with its audit trail (every read shows it)."""
    trail = [from_row(models.DeadLetterAuditRecord, DEAD_LETTER_AUDIT_FIELDS, a, {}) for a in audit]
    return rows.dead_letter_queue(row, audit=trail)


def api_key_created(row: Mapping[str, Any], secret: str) -> models.ApiKeyCreated:
    """A key as created: the stored fields and, this once, its secret."""
    return from_row(models.ApiKeyCreated, rows.API_KEY_FIELDS, row, {"secret": secret})


def graph_node(
    step: Mapping[str, Any], latest: Mapping[str, Any] | None
) -> models.ExecutionGraphNode:
    """A step of an execution's workflow version with its latest run (None: none yet,
    then every field of the run is null and `attempts` 0)."""
    run = latest or {}
    return build(
        models.ExecutionGraphNode,
        {
            "key": step["key"],
            "module": step["module"],
            "dependsOn": list(step.get("dependsOn") or []),
            "circuitBreaker": step.get("circuitBreaker"),
            "status": run.get("status"),
            "attempts": run.get("attempt", 0),
            "runId": run.get("id"),
            "availableAt": run.get("available_at"),
            "claimedAt": run.get("claimed_at"),
            "finishedAt": run.get("finished_at"),
        },
    )
