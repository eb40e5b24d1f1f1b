"""Rows from the hot-path SQL as API objects (camelCase, RFC 3339, string ids)."""

from __future__ import annotations

from typing import Any

from generated.constants import RunStatus
from generated.runtime import to_json

EXECUTION_FIELDS = {
    "id": "id",
    "workflowId": "workflow_id",
    "workflowVersion": "workflow_version",
    "status": "status",
    "inputs": "inputs",
    "outputs": "outputs",
    "error": "error",
    "idempotencyKey": "idempotency_key",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "startedAt": "started_at",
    "finishedAt": "finished_at",
}
RUN_FIELDS = {
    "id": "id",
    "executionId": "execution_id",
    "stepKey": "step_key",
    "module": "module",
    "attempt": "attempt",
    "status": "status",
    "inputs": "inputs",
    "config": "config",
    "output": "output",
    "error": "error",
    "idempotencyKey": "idempotency_key",
    "leaseOwner": "lease_owner",
    "leaseExpiresAt": "lease_expires_at",
    "heartbeatAt": "lease_heartbeat_at",
    "cancelRequested": "cancel_requested",
    "createdAt": "created_at",
    "availableAt": "available_at",
    "claimedAt": "claimed_at",
    "startedAt": "started_at",
    "finishedAt": "finished_at",
}


def _pick(row: Any, fields: dict[str, str]) -> dict[str, Any]:
    keys = set(row.keys())
    return {api: to_json(row[col]) if col in keys else None for api, col in fields.items()}


def execution_json(row: Any) -> dict[str, Any]:
    return _pick(row, EXECUTION_FIELDS)


def run_json(row: Any) -> dict[str, Any]:
    out = _pick(row, RUN_FIELDS)
    # a lease token is shown once, by the claim that leased the run (custom.api.run):
    # viewers read runs too
    out["leaseToken"] = None
    if out["status"] != RunStatus.LEASED:
        out["leaseExpiresAt"] = out["heartbeatAt"] = None
    return out


def control_record_json(row: Any) -> dict[str, Any]:
    return {
        "action": row["action"],
        "actor": row["actor"],
        "at": to_json(row["at"]),
        "fromStatus": row["from_status"],
        "toStatus": row["to_status"],
        "runsChanged": row["runs_changed"],
    }
