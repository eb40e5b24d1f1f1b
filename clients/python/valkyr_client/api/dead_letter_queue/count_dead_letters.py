from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ...client import AuthenticatedClient, Client
from ...models.dead_letter_count import DeadLetterCount
from ...models.dead_letter_reason import DeadLetterReason
from ...models.dead_letter_status import DeadLetterStatus
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: DeadLetterStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    workflow_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    reason: DeadLetterReason | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_execution_id: str | Unset = UNSET
    if not isinstance(execution_id, Unset):
        json_execution_id = str(execution_id)
    params["executionId"] = json_execution_id

    json_workflow_id: str | Unset = UNSET
    if not isinstance(workflow_id, Unset):
        json_workflow_id = str(workflow_id)
    params["workflowId"] = json_workflow_id

    params["stepKey"] = step_key

    json_reason: str | Unset = UNSET
    if not isinstance(reason, Unset):
        json_reason = reason.value

    params["reason"] = json_reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/DeadLetterQueue/count",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeadLetterCount | Problem:
    if response.status_code == 200:
        response_200 = DeadLetterCount.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DeadLetterCount | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: DeadLetterStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    workflow_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    reason: DeadLetterReason | Unset = UNSET,
) -> Response[DeadLetterCount | Problem]:
    """How many entries match the filter (what a bulk resolution with it would touch, with status
    QUARANTINED)

    Args:
        status (DeadLetterStatus | Unset):
        execution_id (UUID | Unset):
        workflow_id (UUID | Unset):
        step_key (str | Unset):
        reason (DeadLetterReason | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadLetterCount | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        execution_id=execution_id,
        workflow_id=workflow_id,
        step_key=step_key,
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    status: DeadLetterStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    workflow_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    reason: DeadLetterReason | Unset = UNSET,
) -> DeadLetterCount | Problem | None:
    """How many entries match the filter (what a bulk resolution with it would touch, with status
    QUARANTINED)

    Args:
        status (DeadLetterStatus | Unset):
        execution_id (UUID | Unset):
        workflow_id (UUID | Unset):
        step_key (str | Unset):
        reason (DeadLetterReason | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadLetterCount | Problem
    """

    return sync_detailed(
        client=client,
        status=status,
        execution_id=execution_id,
        workflow_id=workflow_id,
        step_key=step_key,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: DeadLetterStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    workflow_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    reason: DeadLetterReason | Unset = UNSET,
) -> Response[DeadLetterCount | Problem]:
    """How many entries match the filter (what a bulk resolution with it would touch, with status
    QUARANTINED)

    Args:
        status (DeadLetterStatus | Unset):
        execution_id (UUID | Unset):
        workflow_id (UUID | Unset):
        step_key (str | Unset):
        reason (DeadLetterReason | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadLetterCount | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        execution_id=execution_id,
        workflow_id=workflow_id,
        step_key=step_key,
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    status: DeadLetterStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    workflow_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    reason: DeadLetterReason | Unset = UNSET,
) -> DeadLetterCount | Problem | None:
    """How many entries match the filter (what a bulk resolution with it would touch, with status
    QUARANTINED)

    Args:
        status (DeadLetterStatus | Unset):
        execution_id (UUID | Unset):
        workflow_id (UUID | Unset):
        step_key (str | Unset):
        reason (DeadLetterReason | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadLetterCount | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            execution_id=execution_id,
            workflow_id=workflow_id,
            step_key=step_key,
            reason=reason,
        )
    ).parsed
