"""Workflow definitions: validated step DAGs, versioned on every change.

Chosen versioning: every update stores a new immutable version (the workflow's
`version` goes up by one) in `workflow_versions`; executions keep the version
they started with, so history never changes under them. Delete is refused (409)
while executions of the workflow exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from connexion.exceptions import ProblemException

from custom.workflows.validation import WorkflowValidationError, validate_steps
from generated.repositories.workflow import WorkflowRepository, serialize
from generated.runtime import not_found, ok, parse_uuid, transaction
from generated.tables import WorkflowVersionsRow


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    try:
        steps = validate_steps(body["steps"])
    except WorkflowValidationError as exc:
        raise ProblemException(
            status=400,
            title="Invalid workflow",
            detail=str(exc),
            type="/problems/invalid-workflow",
            ext={"errors": [{"step": exc.step_key, "field": exc.field, "message": str(exc)}]},
        ) from None
    return {"name": body["name"], "description": body.get("description"), "steps": steps}


async def _store_version(
    session: Any, workflow_id: Any, version: int, values: dict[str, Any]
) -> None:
    await session.execute(
        sa.insert(WorkflowVersionsRow).values(workflow_id=workflow_id, version=version, **values)
    )


async def create_workflow(body: dict[str, Any]) -> Any:
    values = _validated(body)
    async with transaction() as session:
        row = await WorkflowRepository(session).create({**values, "version": 1})
        await _store_version(session, row.id, 1, values)
        return ok(serialize(row), 201)


async def update_workflow(id_: str, body: dict[str, Any]) -> Any:
    values = _validated(body)
    async with transaction() as session:
        repo = WorkflowRepository(session)
        current = await repo.get(parse_uuid(id_), for_update=True)
        if current is None:
            raise not_found("Workflow", id_)
        version = current.version + 1
        row = await repo.update(current.id, {**values, "version": version})
        await _store_version(session, current.id, version, values)
        return ok(serialize(row))
