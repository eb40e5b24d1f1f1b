from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.workflow_execution import WorkflowExecution
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WorkflowExecution,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/WorkflowExecution",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WorkflowExecution:
    if response.status_code == 200:
        response_200 = WorkflowExecution.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = WorkflowExecution.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WorkflowExecution]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecution,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | WorkflowExecution]:
    """Start an execution of a workflow's current version (idempotent)

     With an `Idempotency-Key` header, or else by the content hash of
    workflow id + version + inputs, a duplicate answers 200 with the
    existing execution. Reusing a key with different content is a 422.

    Args:
        idempotency_key (str | Unset):
        body (WorkflowExecution):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecution]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecution,
    idempotency_key: str | Unset = UNSET,
) -> Problem | WorkflowExecution | None:
    """Start an execution of a workflow's current version (idempotent)

     With an `Idempotency-Key` header, or else by the content hash of
    workflow id + version + inputs, a duplicate answers 200 with the
    existing execution. Reusing a key with different content is a 422.

    Args:
        idempotency_key (str | Unset):
        body (WorkflowExecution):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecution
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecution,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | WorkflowExecution]:
    """Start an execution of a workflow's current version (idempotent)

     With an `Idempotency-Key` header, or else by the content hash of
    workflow id + version + inputs, a duplicate answers 200 with the
    existing execution. Reusing a key with different content is a 422.

    Args:
        idempotency_key (str | Unset):
        body (WorkflowExecution):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecution]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecution,
    idempotency_key: str | Unset = UNSET,
) -> Problem | WorkflowExecution | None:
    """Start an execution of a workflow's current version (idempotent)

     With an `Idempotency-Key` header, or else by the content hash of
    workflow id + version + inputs, a duplicate answers 200 with the
    existing execution. Reusing a key with different content is a 422.

    Args:
        idempotency_key (str | Unset):
        body (WorkflowExecution):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecution
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
