from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.health import Health
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    ready: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["ready"] = ready

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/health",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Health | Problem:
    if response.status_code == 200:
        response_200 = Health.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 503:
        response_503 = Health.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Health | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    ready: bool | Unset = False,
) -> Response[Health | Problem]:
    """Liveness and database reachability

     The liveness form (no parameter) answers 200 while the process serves, with `status: degraded` when
    PostgreSQL does not answer (nothing restarts for that: the engine rides through a database restart).
    The readiness form (`ready=true`) answers 503 then, so a load balancer sends no traffic.

    Args:
        ready (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Health | Problem]
    """

    kwargs = _get_kwargs(
        ready=ready,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    ready: bool | Unset = False,
) -> Health | Problem | None:
    """Liveness and database reachability

     The liveness form (no parameter) answers 200 while the process serves, with `status: degraded` when
    PostgreSQL does not answer (nothing restarts for that: the engine rides through a database restart).
    The readiness form (`ready=true`) answers 503 then, so a load balancer sends no traffic.

    Args:
        ready (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Health | Problem
    """

    return sync_detailed(
        client=client,
        ready=ready,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    ready: bool | Unset = False,
) -> Response[Health | Problem]:
    """Liveness and database reachability

     The liveness form (no parameter) answers 200 while the process serves, with `status: degraded` when
    PostgreSQL does not answer (nothing restarts for that: the engine rides through a database restart).
    The readiness form (`ready=true`) answers 503 then, so a load balancer sends no traffic.

    Args:
        ready (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Health | Problem]
    """

    kwargs = _get_kwargs(
        ready=ready,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    ready: bool | Unset = False,
) -> Health | Problem | None:
    """Liveness and database reachability

     The liveness form (no parameter) answers 200 while the process serves, with `status: degraded` when
    PostgreSQL does not answer (nothing restarts for that: the engine rides through a database restart).
    The readiness form (`ready=true`) answers 503 then, so a load balancer sends no traffic.

    Args:
        ready (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Health | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            ready=ready,
        )
    ).parsed
