from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.run_batch_heartbeat_request import RunBatchHeartbeatRequest
from ...models.run_batch_heartbeat_response import RunBatchHeartbeatResponse
from ...types import Response


def _get_kwargs(
    *,
    body: RunBatchHeartbeatRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/Run/heartbeat",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RunBatchHeartbeatResponse:
    if response.status_code == 200:
        response_200 = RunBatchHeartbeatResponse.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 501:
        response_501 = Problem.from_dict(response.json())

        return response_501

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | RunBatchHeartbeatResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RunBatchHeartbeatRequest,
) -> Response[Problem | RunBatchHeartbeatResponse]:
    """Keep the leases of many held runs alive in one request (REST worker protocol)

     One request per interval per runner, whatever the number of runs it holds. The runner's lease is
    extended (by `leaseSeconds`, else by the length it claimed with) when at least one of the named runs
    is still leased to it with that token; each run answers whether it was lost (stale token, foreign
    runner, expired lease, unknown run: abandon it and report nothing) and whether its execution was
    cancelled (`cancelRequested`: stop it and report a failure).

    Args:
        body (RunBatchHeartbeatRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunBatchHeartbeatResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: RunBatchHeartbeatRequest,
) -> Problem | RunBatchHeartbeatResponse | None:
    """Keep the leases of many held runs alive in one request (REST worker protocol)

     One request per interval per runner, whatever the number of runs it holds. The runner's lease is
    extended (by `leaseSeconds`, else by the length it claimed with) when at least one of the named runs
    is still leased to it with that token; each run answers whether it was lost (stale token, foreign
    runner, expired lease, unknown run: abandon it and report nothing) and whether its execution was
    cancelled (`cancelRequested`: stop it and report a failure).

    Args:
        body (RunBatchHeartbeatRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunBatchHeartbeatResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RunBatchHeartbeatRequest,
) -> Response[Problem | RunBatchHeartbeatResponse]:
    """Keep the leases of many held runs alive in one request (REST worker protocol)

     One request per interval per runner, whatever the number of runs it holds. The runner's lease is
    extended (by `leaseSeconds`, else by the length it claimed with) when at least one of the named runs
    is still leased to it with that token; each run answers whether it was lost (stale token, foreign
    runner, expired lease, unknown run: abandon it and report nothing) and whether its execution was
    cancelled (`cancelRequested`: stop it and report a failure).

    Args:
        body (RunBatchHeartbeatRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunBatchHeartbeatResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RunBatchHeartbeatRequest,
) -> Problem | RunBatchHeartbeatResponse | None:
    """Keep the leases of many held runs alive in one request (REST worker protocol)

     One request per interval per runner, whatever the number of runs it holds. The runner's lease is
    extended (by `leaseSeconds`, else by the length it claimed with) when at least one of the named runs
    is still leased to it with that token; each run answers whether it was lost (stale token, foreign
    runner, expired lease, unknown run: abandon it and report nothing) and whether its execution was
    cancelled (`cancelRequested`: stop it and report a failure).

    Args:
        body (RunBatchHeartbeatRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunBatchHeartbeatResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
