from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.workflow_execution_batch import WorkflowExecutionBatch
from ...models.workflow_execution_batch_results import WorkflowExecutionBatchResults
from ...types import Response


def _get_kwargs(
    *,
    body: WorkflowExecutionBatch,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/WorkflowExecution/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WorkflowExecutionBatchResults:
    if response.status_code == 200:
        response_200 = WorkflowExecutionBatchResults.from_dict(response.json())

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

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WorkflowExecutionBatchResults]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecutionBatch,
) -> Response[Problem | WorkflowExecutionBatchResults]:
    """Start up to 1,000 executions in one request (each idempotent)

     Each item is what a single submit carries (its body, and its
    Idempotency-Key as `idempotencyKey`), with the same rules: without a key
    the content hash of workflow id + version + inputs is the key. The answer
    has one result per item, in the items' order: `status` 201 with the new
    execution, 200 with the existing one a duplicate refers to (also a key
    repeated inside the batch), or 404 (unknown workflow) / 422 (key reused
    with different content) with a problem. One failing item does not fail
    the others; the batch is one transaction.

    Args:
        body (WorkflowExecutionBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecutionBatchResults]
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
    body: WorkflowExecutionBatch,
) -> Problem | WorkflowExecutionBatchResults | None:
    """Start up to 1,000 executions in one request (each idempotent)

     Each item is what a single submit carries (its body, and its
    Idempotency-Key as `idempotencyKey`), with the same rules: without a key
    the content hash of workflow id + version + inputs is the key. The answer
    has one result per item, in the items' order: `status` 201 with the new
    execution, 200 with the existing one a duplicate refers to (also a key
    repeated inside the batch), or 404 (unknown workflow) / 422 (key reused
    with different content) with a problem. One failing item does not fail
    the others; the batch is one transaction.

    Args:
        body (WorkflowExecutionBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecutionBatchResults
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecutionBatch,
) -> Response[Problem | WorkflowExecutionBatchResults]:
    """Start up to 1,000 executions in one request (each idempotent)

     Each item is what a single submit carries (its body, and its
    Idempotency-Key as `idempotencyKey`), with the same rules: without a key
    the content hash of workflow id + version + inputs is the key. The answer
    has one result per item, in the items' order: `status` 201 with the new
    execution, 200 with the existing one a duplicate refers to (also a key
    repeated inside the batch), or 404 (unknown workflow) / 422 (key reused
    with different content) with a problem. One failing item does not fail
    the others; the batch is one transaction.

    Args:
        body (WorkflowExecutionBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WorkflowExecutionBatchResults]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WorkflowExecutionBatch,
) -> Problem | WorkflowExecutionBatchResults | None:
    """Start up to 1,000 executions in one request (each idempotent)

     Each item is what a single submit carries (its body, and its
    Idempotency-Key as `idempotencyKey`), with the same rules: without a key
    the content hash of workflow id + version + inputs is the key. The answer
    has one result per item, in the items' order: `status` 201 with the new
    execution, 200 with the existing one a duplicate refers to (also a key
    repeated inside the batch), or 404 (unknown workflow) / 422 (key reused
    with different content) with a problem. One failing item does not fail
    the others; the batch is one transaction.

    Args:
        body (WorkflowExecutionBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WorkflowExecutionBatchResults
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
