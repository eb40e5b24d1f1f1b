import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.workflow_execution_counts import WorkflowExecutionCounts
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    workflow_id: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    id_prefix: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_workflow_id: str | Unset = UNSET
    if not isinstance(workflow_id, Unset):
        json_workflow_id = str(workflow_id)
    params["workflowId"] = json_workflow_id

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["createdAfter"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["createdBefore"] = json_created_before

    params["idPrefix"] = id_prefix

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/WorkflowExecution/counts",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WorkflowExecutionCounts:
    if response.status_code == 200:
        response_200 = WorkflowExecutionCounts.from_dict(response.json())

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
) -> Response[Problem | WorkflowExecutionCounts]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    workflow_id: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    id_prefix: str | Unset = UNSET,
) -> Response[Problem | WorkflowExecutionCounts]:
    """How many executions are in each status (the list's filters but status)

    Args:
        workflow_id (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        id_prefix (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecutionCounts]
    """

    kwargs = _get_kwargs(
        workflow_id=workflow_id,
        created_after=created_after,
        created_before=created_before,
        id_prefix=id_prefix,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    workflow_id: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    id_prefix: str | Unset = UNSET,
) -> Problem | WorkflowExecutionCounts | None:
    """How many executions are in each status (the list's filters but status)

    Args:
        workflow_id (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        id_prefix (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecutionCounts
    """

    return sync_detailed(
        client=client,
        workflow_id=workflow_id,
        created_after=created_after,
        created_before=created_before,
        id_prefix=id_prefix,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    workflow_id: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    id_prefix: str | Unset = UNSET,
) -> Response[Problem | WorkflowExecutionCounts]:
    """How many executions are in each status (the list's filters but status)

    Args:
        workflow_id (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        id_prefix (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecutionCounts]
    """

    kwargs = _get_kwargs(
        workflow_id=workflow_id,
        created_after=created_after,
        created_before=created_before,
        id_prefix=id_prefix,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    workflow_id: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    id_prefix: str | Unset = UNSET,
) -> Problem | WorkflowExecutionCounts | None:
    """How many executions are in each status (the list's filters but status)

    Args:
        workflow_id (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        id_prefix (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecutionCounts
    """

    return (
        await asyncio_detailed(
            client=client,
            workflow_id=workflow_id,
            created_after=created_after,
            created_before=created_before,
            id_prefix=id_prefix,
        )
    ).parsed
