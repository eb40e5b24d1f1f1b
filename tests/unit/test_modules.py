"""Built-in execution modules, the registry and breaker keys."""

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from custom.breakers.keys import breaker_key
from custom.modules import (
    ModuleContext,
    PermanentError,
    TransientError,
    builtin_modules,
    fail,
    load_modules,
    noop,
    sleep,
    transform,
)
from custom.modules import http as http_module
from custom.modules import registry as registry_mod


def ctx(attempt: int = 1, timeout: float = 5.0, key: str = "in:cfg") -> ModuleContext:
    return ModuleContext(
        run_id=uuid.uuid4(),
        execution_id=uuid.uuid4(),
        step_key="s",
        attempt=attempt,
        idempotency_key=key,
        timeout_seconds=timeout,
        cancel_event=asyncio.Event(),
    )


# --- context, errors --------------------------------------------------------------------------


def test_context_cancelled_follows_event() -> None:
    c = ctx()
    assert not c.cancelled
    c.cancel_event.set()
    assert c.cancelled


def test_error_classes() -> None:
    t, p = TransientError("t"), PermanentError("p", details={"x": 1})
    assert t.retryable and not p.retryable
    assert t.error_type == "transient" and p.error_type == "permanent"
    assert p.to_dict() == {"message": "p", "type": "permanent", "details": {"x": 1}}


# --- noop, sleep, fail, transform -------------------------------------------------------------


@pytest.mark.asyncio
async def test_noop_echoes_inputs() -> None:
    assert await noop.run({"a": [1]}, {"ignored": True}, ctx()) == {"a": [1]}


@pytest.mark.asyncio
async def test_sleep_takes_seconds_from_inputs_then_config() -> None:
    started = time.monotonic()
    assert await sleep.run({"seconds": 0.05}, {"seconds": 5}, ctx()) == {"slept": 0.05}
    assert await sleep.run({}, {"seconds": 0}, ctx()) == {"slept": 0}
    assert time.monotonic() - started < 1


@pytest.mark.asyncio
async def test_sleep_is_interrupted_by_task_cancellation() -> None:
    task = asyncio.create_task(sleep.run({}, {}, ctx()))  # default: 1 second
    await asyncio.sleep(0.02)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.5


@pytest.mark.asyncio
@pytest.mark.parametrize("seconds", [-1, "1", None, True, float("nan")])
async def test_sleep_rejects_bad_seconds(seconds: Any) -> None:
    with pytest.raises(PermanentError):
        await sleep.run({"seconds": seconds}, {}, ctx())


@pytest.mark.asyncio
async def test_fail_fails_first_attempt_by_default_then_echoes() -> None:
    with pytest.raises(TransientError):
        await fail.run({"x": 1}, {}, ctx(attempt=1))
    assert await fail.run({"x": 1}, {}, ctx(attempt=2)) == {"x": 1}


@pytest.mark.asyncio
async def test_fail_times_permanent_and_message() -> None:
    config = {"times": 2, "permanent": True, "message": "boom"}
    for attempt in (1, 2):
        with pytest.raises(PermanentError, match="boom"):
            await fail.run({}, config, ctx(attempt=attempt))
    assert await fail.run({}, config, ctx(attempt=3)) == {}
    # inputs override config
    assert await fail.run({"times": 0}, {"times": 5}, ctx(attempt=1)) == {"times": 0}


@pytest.mark.asyncio
async def test_fail_minus_one_always_fails() -> None:
    with pytest.raises(TransientError):
        await fail.run({}, {"times": -1}, ctx(attempt=99))


@pytest.mark.asyncio
async def test_transform_builds_output_from_own_inputs() -> None:
    inputs = {"chargeId": "ch_1", "amount": 5, "lines": [{"sku": "x"}]}
    config = {"output": {"id": "${inputs.chargeId}", "first": "${inputs.lines.0}", "k": "lit"}}
    assert await transform.run(inputs, config, ctx()) == {
        "id": "ch_1",
        "first": {"sku": "x"},
        "k": "lit",
    }
    assert await transform.run(inputs, {}, ctx()) == inputs


@pytest.mark.asyncio
@pytest.mark.parametrize("ref", ["${inputs.missing}", "${steps.a.output}"])
async def test_transform_bad_reference_is_permanent(ref: str) -> None:
    with pytest.raises(PermanentError):
        await transform.run({"a": 1}, {"output": {"x": ref}}, ctx())


# --- registry ---------------------------------------------------------------------------------


def test_builtin_modules() -> None:
    assert set(builtin_modules()) == {"noop", "sleep", "fail", "http", "transform", "wait"}
    assert load_modules(include_entry_points=False).keys() == builtin_modules().keys()


async def _plugin(inputs: dict[str, Any], config: dict[str, Any], c: ModuleContext) -> Any:
    return "plugin"


def test_entry_points_merge_skip_broken_and_never_replace_builtins(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Any:
        raise ImportError("missing dependency")

    eps = [
        SimpleNamespace(name="mailer.send", value="pkg:send", load=lambda: _plugin),
        SimpleNamespace(name="broken", value="pkg:broken", load=broken),
        SimpleNamespace(name="noop", value="evil:noop", load=lambda: _plugin),
        SimpleNamespace(name="notcallable", value="pkg:X", load=lambda: 42),
    ]
    seen_groups: list[str] = []

    def fake_entry_points(*, group: str) -> list[Any]:
        seen_groups.append(group)
        return eps

    monkeypatch.setattr(registry_mod, "entry_points", fake_entry_points)
    modules = load_modules()
    assert seen_groups == ["valkyr.modules"]
    assert modules["mailer.send"] is _plugin
    assert modules["noop"] is noop.run
    assert "broken" not in modules and "notcallable" not in modules
    assert "broken" in caplog.text


# --- breaker keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({"module": "http", "config": {"url": "https://Pay.Example/charges"}}, "pay.example"),
        ({"module": "http", "config": {"url": "http://127.0.0.1:8081/x"}}, "127.0.0.1:8081"),
        ({"module": "http", "config": {"url": "http://[::1]:9/x"}}, "[::1]:9"),
        (
            {"module": "http", "config": {"url": "https://a.example"}, "circuitBreaker": "pay"},
            "pay",
        ),
        ({"module": "noop", "circuitBreaker": "shared"}, "shared"),
        ({"module": "noop", "config": {"url": "https://a.example"}}, None),
        ({"module": "http", "config": {"url": "ftp://a.example"}}, None),
        ({"module": "http", "config": {}}, None),
        ({"module": "http", "circuitBreaker": None, "config": {"url": "http://h"}}, "h"),
    ],
)
def test_breaker_key(step: dict[str, Any], expected: str | None) -> None:
    assert breaker_key(step, builtin_modules()) == expected


# --- http against a real local server ---------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.hits: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for h in self.hits if h["path"] == path)


def _make_handler(recorder: _Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            with recorder.lock:
                recorder.hits.append(
                    {
                        "path": self.path,
                        "method": self.command,
                        "headers": dict(self.headers.items()),
                        "body": json.loads(raw) if raw else None,
                    }
                )
            path = self.path
            if path == "/slow":
                time.sleep(1.0)
            status = {"/500": 503, "/429": 429, "/404": 404, "/400": 400, "/302": 302}.get(
                path, 200
            )
            if path == "/text":
                payload, ctype = b"plain words", "text/plain; charset=utf-8"
            else:
                payload = json.dumps({"echo": json.loads(raw) if raw else None}).encode()
                ctype = "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                if status == 302:
                    self.send_header("Location", "/ok")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, _Recorder]]:
    recorder = _Recorder()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(recorder))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.asyncio
async def test_http_posts_inputs_with_idempotency_key(
    server: tuple[str, _Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, rec = server
    out = await http_module.run(
        {"amount": 5},
        {"url": f"{base}/ok", "headers": {"X-Trace": "t1", "idempotency-key": "spoof"}},
        ctx(key="abc:def"),
    )
    assert out == {"status": 200, "body": {"echo": {"amount": 5}}}
    [hit] = rec.hits
    headers = {k.lower(): v for k, v in hit["headers"].items()}
    assert hit["method"] == "POST"
    assert headers["idempotency-key"] == "abc:def"
    assert headers["x-trace"] == "t1"
    assert hit["body"] == {"amount": 5}


@pytest.mark.asyncio
async def test_http_explicit_json_method_and_text_body(server: tuple[str, _Recorder]) -> None:
    base, rec = server
    config = {"url": f"{base}/ok", "method": "put", "json": [1]}
    out = await http_module.run({"ignored": 1}, config, ctx())
    assert out == {"status": 200, "body": {"echo": [1]}}
    out = await http_module.run({"x": 1}, {"url": f"{base}/text", "method": "GET"}, ctx())
    assert out == {"status": 200, "body": "plain words"}
    assert rec.hits[-1]["body"] is None  # GET sends no default body
    assert {h["headers"].get("Idempotency-Key") for h in rec.hits} == {"in:cfg"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/500", TransientError),
        ("/429", TransientError),
        ("/404", PermanentError),
        ("/400", PermanentError),
        ("/302", PermanentError),
    ],
)
async def test_http_status_classification(
    server: tuple[str, _Recorder], path: str, error: type[Exception]
) -> None:
    base, rec = server
    with pytest.raises(error) as info:
        await http_module.run({}, {"url": f"{base}{path}"}, ctx())
    assert rec.count(path) == 1  # no hidden retries inside the module
    assert info.value.details["status"] in (503, 429, 404, 400, 302)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_http_timeout_is_transient(server: tuple[str, _Recorder]) -> None:
    base, rec = server
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        await http_module.run({}, {"url": f"{base}/slow", "timeoutSeconds": 0.2}, ctx())
    assert time.monotonic() - started < 0.9
    assert rec.count("/slow") == 1


@pytest.mark.asyncio
async def test_http_step_timeout_is_the_default(server: tuple[str, _Recorder]) -> None:
    base, _ = server
    with pytest.raises(TransientError, match="timed out"):
        await http_module.run({}, {"url": f"{base}/slow"}, ctx(timeout=0.2))


@pytest.mark.asyncio
async def test_http_connection_refused_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientError):
        await http_module.run({}, {"url": f"http://127.0.0.1:{port}/x", "timeoutSeconds": 2}, ctx())


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "config",
    [
        {},
        {"url": "file:///etc/passwd"},
        {"url": "ftp://example.com/x"},
        {"url": "not a url"},
        {"url": "http://h/x", "method": "TRACE"},
        {"url": "http://h/x", "headers": {"a": 1}},
        {"url": "http://h/x", "timeoutSeconds": 0},
    ],
)
async def test_http_bad_config_is_permanent(config: dict[str, Any]) -> None:
    with pytest.raises(PermanentError):
        await http_module.run({}, config, ctx())


def test_a_plugin_module_declares_its_own_breaker_key() -> None:
    async def charge(inputs: dict[str, Any], config: dict[str, Any], ctx: Any) -> Any:
        return {}

    charge.breaker_key = lambda config: f"payments:{config.get('region', 'eu')}"  # type: ignore[attr-defined]
    modules = {**builtin_modules(), "pay.charge": charge}
    step = {"key": "c", "module": "pay.charge", "config": {"region": "us"}}
    assert breaker_key(step, modules) == "payments:us"
    assert breaker_key({**step, "circuitBreaker": "shared"}, modules) == "shared"
    assert breaker_key({"key": "n", "module": "noop", "config": {}}, modules) is None


@pytest.mark.asyncio
async def test_wait_is_never_run_by_a_runner() -> None:
    from custom.modules.errors import PermanentError
    from custom.modules.wait import run

    with pytest.raises(PermanentError, match="completed by a signal"):
        await run({}, {"signal": "approved"}, None)  # type: ignore[arg-type]
