"""Operator commands on the generated client: `valkyr executions …` and `valkyr dlq …`.

    valkyr executions list [--status S] [--workflow ID] [--limit N] [--cursor C]
    valkyr executions get|cancel|pause|resume ID
    valkyr dlq list [--status S] [--execution ID] [--limit N] [--cursor C]
    valkyr dlq requeue ID [--inputs JSON] [--notes TEXT]
    valkyr dlq discard ID --notes TEXT

`--url`/`--key` or VALKYR_URL/VALKYR_API_KEY. Answers print as JSON, or as a table on
a terminal (`--json`/`--table` choose). A problem answer goes to stderr with exit
status 1; no answer from the service is exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from .api.dead_letter_queue import (
    discard_dead_letter,
    list_dead_letters,
    requeue_dead_letter,
)
from .api.workflow_execution import (
    cancel_workflow_execution,
    get_workflow_execution,
    list_workflow_executions,
    pause_workflow_execution,
    resume_workflow_execution,
)
from .client import Client
from .models import (
    DeadLetterDiscardRequest,
    DeadLetterRequeueRequest,
    DeadLetterRequeueRequestInputOverrides,
    DeadLetterStatus,
    ExecutionStatus,
)
from .types import UNSET, Response

COLUMNS = {
    "executions": ("id", "status", "workflowId", "workflowVersion", "createdAt", "finishedAt"),
    "dlq": ("id", "status", "reason", "stepKey", "executionId", "attempts", "createdAt"),
}


class Failed(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a UUID)") from None


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def _opt(value: Any) -> Any:
    return UNSET if value is None else value


def _answer(response: Response[Any]) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        body = {"detail": response.content.decode(errors="replace")[:500]}
    if int(response.status_code) >= 300:
        detail = body.get("detail") or body.get("title") if isinstance(body, dict) else body
        raise Failed(f"{int(response.status_code)}: {detail}", 1)
    return body


def _call(request: Callable[[], Response[Any]]) -> dict[str, Any]:
    try:
        return _answer(request())
    except httpx.HTTPError as exc:
        raise Failed(f"no answer from the service: {exc}", 2) from None


def run_command(args: argparse.Namespace, client: Client) -> dict[str, Any]:
    """The command's answer (the API's JSON) as a dict."""
    c = client
    if args.group == "executions":
        if args.action == "list":
            status = ExecutionStatus(args.status) if args.status else UNSET
            return _call(
                lambda: list_workflow_executions.sync_detailed(
                    client=c,
                    status=status,
                    workflow_id=_opt(args.workflow),
                    limit=args.limit,
                    cursor=_opt(args.cursor),
                )
            )
        action = {
            "get": get_workflow_execution,
            "cancel": cancel_workflow_execution,
            "pause": pause_workflow_execution,
            "resume": resume_workflow_execution,
        }[args.action]
        return _call(lambda: action.sync_detailed(args.id, client=c))
    if args.action == "list":
        status = DeadLetterStatus(args.status) if args.status else UNSET
        return _call(
            lambda: list_dead_letters.sync_detailed(
                client=c,
                status=status,
                execution_id=_opt(args.execution),
                limit=args.limit,
                cursor=_opt(args.cursor),
            )
        )
    if args.action == "requeue":
        overrides = (
            DeadLetterRequeueRequestInputOverrides.from_dict(args.inputs) if args.inputs else UNSET
        )
        body = DeadLetterRequeueRequest(input_overrides=overrides, notes=_opt(args.notes))
        return _call(lambda: requeue_dead_letter.sync_detailed(args.id, client=c, body=body))
    discard = DeadLetterDiscardRequest(notes=args.notes)
    return _call(lambda: discard_dead_letter.sync_detailed(args.id, client=c, body=discard))


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
            return value[:19].replace("T", " ")  # a timestamp, to the second
        return str(value)

    lines = [list(columns)] + [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def render(answer: dict[str, Any], group: str, as_table: bool) -> str:
    if not as_table:
        return json.dumps(answer, indent=2)
    if "items" in answer:
        text = table(answer["items"], COLUMNS[group])
        if answer.get("nextCursor"):
            text += f"\n(more: --cursor {answer['nextCursor']})"
        return text
    width = max(len(k) for k in answer) if answer else 0
    return "\n".join(
        f"{k.ljust(width)}  {v if isinstance(v, str) else json.dumps(v)}" for k, v in answer.items()
    )


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `executions` and `dlq` command groups, for this CLI and for `valkyr`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=None, help="the service (default: $VALKYR_URL)")
    common.add_argument("--key", default=None, help="an API key (default: $VALKYR_API_KEY)")
    out = common.add_mutually_exclusive_group()
    out.add_argument("--json", dest="as_table", action="store_false", default=None)
    out.add_argument("--table", dest="as_table", action="store_true")

    ex = sub.add_parser("executions", help="list, read and control workflow executions")
    ex_sub = ex.add_subparsers(dest="action", required=True)
    p = ex_sub.add_parser("list", parents=[common], help="newest first")
    p.add_argument("--status", choices=[s.value for s in ExecutionStatus])
    p.add_argument("--workflow", type=_id)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--cursor")
    for action in ("get", "cancel", "pause", "resume"):
        p = ex_sub.add_parser(action, parents=[common], help=f"{action} one execution")
        p.add_argument("id", type=_id)
    ex.set_defaults(group="executions", func=main_of_args)

    dlq = sub.add_parser("dlq", help="work the dead-letter queue")
    dlq_sub = dlq.add_subparsers(dest="action", required=True)
    p = dlq_sub.add_parser("list", parents=[common], help="dead letters")
    p.add_argument("--status", choices=[s.value for s in DeadLetterStatus])
    p.add_argument("--execution", type=_id)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--cursor")
    p = dlq_sub.add_parser("requeue", parents=[common], help="run the step again")
    p.add_argument("id", type=_id)
    p.add_argument("--inputs", type=_json_object, help="JSON merged over the original inputs")
    p.add_argument("--notes")
    p = dlq_sub.add_parser("discard", parents=[common], help="give up on it, with a note")
    p.add_argument("id", type=_id)
    p.add_argument("--notes", required=True)
    dlq.set_defaults(group="dlq", func=main_of_args)


def main_of_args(args: argparse.Namespace) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # stderr is for what went wrong
    url = args.url or os.environ.get("VALKYR_URL")
    key = args.key or os.environ.get("VALKYR_API_KEY")
    if not url:
        print("no service: give --url or set VALKYR_URL", file=sys.stderr)
        raise SystemExit(2)
    as_table = sys.stdout.isatty() if args.as_table is None else args.as_table
    try:
        with Client(url, api_key=key) as client:
            answer = run_command(args, client)
    except Failed as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(exc.code) from None
    print(render(answer, args.group, as_table))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m valkyr_client", description=__doc__)
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.func(args)
