from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.run_list import RunList
from ...models.run_status import RunStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    module: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_execution_id: str | Unset = UNSET
    if not isinstance(execution_id, Unset):
        json_execution_id = str(execution_id)
    params["executionId"] = json_execution_id

    params["stepKey"] = step_key

    params["module"] = module

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/Run",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RunList:
    if response.status_code == 200:
        response_200 = RunList.from_dict(response.json())

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
) -> Response[Problem | RunList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    module: str | Unset = UNSET,
) -> Response[Problem | RunList]:
    """List runs

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (RunStatus | Unset): `WAITING`: a run of the built-in `wait` module, parked until a
            signal of its name arrives (then SUCCEEDED with the signal's payload as output) or its
            `availableAt` (the wait's deadline) passes (then DEAD_LETTERED). No runner ever claims it.
        execution_id (UUID | Unset):
        step_key (str | Unset):
        module (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        execution_id=execution_id,
        step_key=step_key,
        module=module,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    module: str | Unset = UNSET,
) -> Problem | RunList | None:
    """List runs

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (RunStatus | Unset): `WAITING`: a run of the built-in `wait` module, parked until a
            signal of its name arrives (then SUCCEEDED with the signal's payload as output) or its
            `availableAt` (the wait's deadline) passes (then DEAD_LETTERED). No runner ever claims it.
        execution_id (UUID | Unset):
        step_key (str | Unset):
        module (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunList
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
        execution_id=execution_id,
        step_key=step_key,
        module=module,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    module: str | Unset = UNSET,
) -> Response[Problem | RunList]:
    """List runs

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (RunStatus | Unset): `WAITING`: a run of the built-in `wait` module, parked until a
            signal of its name arrives (then SUCCEEDED with the signal's payload as output) or its
            `availableAt` (the wait's deadline) passes (then DEAD_LETTERED). No runner ever claims it.
        execution_id (UUID | Unset):
        step_key (str | Unset):
        module (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        execution_id=execution_id,
        step_key=step_key,
        module=module,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    execution_id: UUID | Unset = UNSET,
    step_key: str | Unset = UNSET,
    module: str | Unset = UNSET,
) -> Problem | RunList | None:
    """List runs

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (RunStatus | Unset): `WAITING`: a run of the built-in `wait` module, parked until a
            signal of its name arrives (then SUCCEEDED with the signal's payload as output) or its
            `availableAt` (the wait's deadline) passes (then DEAD_LETTERED). No runner ever claims it.
        execution_id (UUID | Unset):
        step_key (str | Unset):
        module (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunList
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
            execution_id=execution_id,
            step_key=step_key,
            module=module,
        )
    ).parsed
