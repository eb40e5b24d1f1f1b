"""The REST worker protocol through the generated client, with its answers sorted into
what the worker does next: go on, give the run up (LeaseLost), give up on a request
that cannot succeed (Rejected), or try again (Unavailable)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import httpx

from ..api.run import claim_runs, complete_run, fail_run, heartbeat_runs, release_runs
from ..client import Client
from ..models import (
    RunBatchHeartbeatRequest,
    RunClaimRequest,
    RunCompleteRequest,
    RunError,
    RunFailRequest,
    RunLeaseRef,
    RunReleaseRequest,
)
from ..types import UNSET

# the most runs one heartbeat or release request may name (the spec's maxItems)
BATCH_LIMIT = 1000


class Unavailable(Exception):
    """No answer, a 5xx, or an answer that is not the API's: worth trying again."""


class LeaseLost(Exception):
    """409/404: the run is not held with this token any more; report nothing."""


class Rejected(Exception):
    """A 4xx that the same request will always get (a bad key, a body too large)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


async def _send(client: Client, request: dict[str, Any]) -> Any:
    """Send the request a generated operation module builds (`_get_kwargs`) and read
    its answer as plain JSON: the worker needs a few fields of it, and parsing every
    claimed run into models (its dates included) cost it more CPU than the request."""
    try:
        response = await client.get_async_httpx_client().request(**request)
        body = response.json() if response.content else None
    except (httpx.HTTPError, ValueError) as exc:  # no answer, or not JSON
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
    status = response.status_code
    if status < 300:
        return body
    detail = str(body.get("detail") or body.get("title")) if isinstance(body, dict) else ""
    if status >= 500 or status == 429:
        raise Unavailable(f"{status}: {detail}")
    if status in (404, 409):
        raise LeaseLost(detail)
    raise Rejected(status, detail)


def _refs(held: Sequence[tuple[str, Any]]) -> list[RunLeaseRef]:
    return [RunLeaseRef(id=UUID(run_id), lease_token=token) for run_id, token in held]


async def claim(
    client: Client,
    runner_id: str,
    modules: list[str],
    limit: int,
    lease_seconds: float,
    wait_seconds: float,
) -> list[dict[str, Any]]:
    """The runs leased (the API's JSON of each)."""
    body = RunClaimRequest(
        runner_id=runner_id,
        modules=modules,
        limit=limit,
        lease_seconds=lease_seconds,
        wait_seconds=wait_seconds,
    )
    answer = await _send(client, claim_runs._get_kwargs(body=body))
    return list(answer["items"])


async def heartbeat(
    client: Client, runner_id: str, held: Sequence[tuple[str, Any]], lease_seconds: float | None
) -> dict[str, tuple[bool, bool]]:
    """{run id: (lost, cancel requested)} for every run named, in batches."""
    out: dict[str, tuple[bool, bool]] = {}
    for i in range(0, len(held), BATCH_LIMIT):
        body = RunBatchHeartbeatRequest(
            runner_id=runner_id,
            runs=_refs(held[i : i + BATCH_LIMIT]),
            lease_seconds=UNSET if lease_seconds is None else lease_seconds,
        )
        answer = await _send(client, heartbeat_runs._get_kwargs(body=body))
        for r in answer["runs"]:
            out[r["id"]] = (bool(r["lost"]), bool(r["cancelRequested"]))
    return out


async def complete(client: Client, runner_id: str, run_id: str, token: Any, output: Any) -> None:
    body = RunCompleteRequest(runner_id=runner_id, lease_token=token, output=output)
    await _send(client, complete_run._get_kwargs(UUID(run_id), body=body))


async def fail(
    client: Client,
    runner_id: str,
    run_id: str,
    token: Any,
    error: dict[str, str],
    *,
    retryable: bool,
) -> None:
    body = RunFailRequest(
        runner_id=runner_id,
        lease_token=token,
        error=RunError(message=error["message"], type_=error["type"]),
        retryable=retryable,
    )
    await _send(client, fail_run._get_kwargs(UUID(run_id), body=body))


async def release(
    client: Client, runner_id: str, held: Sequence[tuple[str, Any]], *, all_held: bool = False
) -> list[str]:
    """Give runs back; `all_held`: and every other run still leased to runner_id."""
    released: list[str] = []
    for i in range(0, max(len(held), 1), BATCH_LIMIT):
        body = RunReleaseRequest(
            runner_id=runner_id, runs=_refs(held[i : i + BATCH_LIMIT]), all_held=all_held
        )
        answer = await _send(client, release_runs._get_kwargs(body=body))
        released += [str(x) for x in answer["released"]]
    return released
