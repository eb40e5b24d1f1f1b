from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.signal import Signal
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    body: Signal,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/WorkflowExecution/{id}/signal".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Signal:
    if response.status_code == 200:
        response_200 = Signal.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = Signal.from_dict(response.json())

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

    if response.status_code == 501:
        response_501 = Problem.from_dict(response.json())

        return response_501

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | Signal]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: Signal,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | Signal]:
    """Send a signal (an approval) to an execution's `wait` steps

     The oldest `WAITING` run of a `wait` step whose `config.signal` is `name`
    consumes the signal: it SUCCEEDS with `payload` as its output and the
    execution moves on. With no such run the signal is kept, and the next wait
    on that name to be reached consumes it (one signal per wait, in the order
    they arrived). With an `Idempotency-Key` header a repeated request answers
    200 with the signal it repeats (a different name or payload under the same
    key is a 422). A finished execution (COMPLETED, FAILED, CANCELLED) is a 409.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (Signal): A signal sent to an execution (`POST /WorkflowExecution/{id}/signal`); a
            `wait` step with `config.signal` equal to `name` consumes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Signal]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: Signal,
    idempotency_key: str | Unset = UNSET,
) -> Problem | Signal | None:
    """Send a signal (an approval) to an execution's `wait` steps

     The oldest `WAITING` run of a `wait` step whose `config.signal` is `name`
    consumes the signal: it SUCCEEDS with `payload` as its output and the
    execution moves on. With no such run the signal is kept, and the next wait
    on that name to be reached consumes it (one signal per wait, in the order
    they arrived). With an `Idempotency-Key` header a repeated request answers
    200 with the signal it repeats (a different name or payload under the same
    key is a 422). A finished execution (COMPLETED, FAILED, CANCELLED) is a 409.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (Signal): A signal sent to an execution (`POST /WorkflowExecution/{id}/signal`); a
            `wait` step with `config.signal` equal to `name` consumes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Signal
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: Signal,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | Signal]:
    """Send a signal (an approval) to an execution's `wait` steps

     The oldest `WAITING` run of a `wait` step whose `config.signal` is `name`
    consumes the signal: it SUCCEEDS with `payload` as its output and the
    execution moves on. With no such run the signal is kept, and the next wait
    on that name to be reached consumes it (one signal per wait, in the order
    they arrived). With an `Idempotency-Key` header a repeated request answers
    200 with the signal it repeats (a different name or payload under the same
    key is a 422). A finished execution (COMPLETED, FAILED, CANCELLED) is a 409.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (Signal): A signal sent to an execution (`POST /WorkflowExecution/{id}/signal`); a
            `wait` step with `config.signal` equal to `name` consumes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Signal]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: Signal,
    idempotency_key: str | Unset = UNSET,
) -> Problem | Signal | None:
    """Send a signal (an approval) to an execution's `wait` steps

     The oldest `WAITING` run of a `wait` step whose `config.signal` is `name`
    consumes the signal: it SUCCEEDS with `payload` as its output and the
    execution moves on. With no such run the signal is kept, and the next wait
    on that name to be reached consumes it (one signal per wait, in the order
    they arrived). With an `Idempotency-Key` header a repeated request answers
    200 with the signal it repeats (a different name or payload under the same
    key is a 422). A finished execution (COMPLETED, FAILED, CANCELLED) is a 409.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (Signal): A signal sent to an execution (`POST /WorkflowExecution/{id}/signal`); a
            `wait` step with `config.signal` equal to `name` consumes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Signal
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
