"""A worker: claims runs of its modules, runs their handlers, keeps the leases alive,
reports each result once, and drains on SIGTERM/SIGINT.

Requests it sends: one long-poll claim at a time (sized to the free slots), one batch
heartbeat per interval while it holds runs (none while idle), one report per run,
and one release on shutdown for the runs it gives back.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..client import Client
from . import protocol
from .context import Context
from .errors import PermanentError
from .protocol import LeaseLost, Rejected, Unavailable

Handler = Callable[[dict[str, Any], Context], Awaitable[Any] | Any]
log = logging.getLogger("valkyr_client.worker")
CANCELLED = {"message": "cancelled", "type": "cancelled"}


@dataclass
class _Outcome:
    """What to report: an output (complete) or an error (fail)."""

    output: Any = None
    error: dict[str, str] | None = None
    retryable: bool = True


@dataclass
class _Held:
    run_id: str
    token: Any
    ctx: Context
    task: asyncio.Task[None] | None = None
    handler: asyncio.Task[Any] | None = None
    lost: bool = False
    reporting: bool = False
    giving_back: bool = False
    data: dict[str, Any] = field(default_factory=dict)


def _error(exc: BaseException) -> dict[str, str]:
    return {"message": (str(exc) or type(exc).__name__)[:10_000], "type": type(exc).__name__[:200]}


class _Backoff:
    def __init__(self, first: float = 0.05, most: float = 2.0) -> None:
        self.first, self.most, self.next = first, most, first

    def delay(self) -> float:
        d, self.next = self.next, min(self.next * 2, self.most)
        return d * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.next = self.first


class Worker:
    """Runs handlers for modules of a Valkyr service (the REST worker protocol).

    runner_id: who holds the leases; a runner key named `mailer` may act as `mailer`
    or `mailer:<suffix>` (give each process its own suffix).
    concurrency: most runs handled at once (claims never ask for more than are free).
    lease_seconds: the lease asked for at claim; each heartbeat extends it as much.
    heartbeat_seconds: the interval of the batch heartbeat (default lease / 6, at
    most 5 s); also how soon a cancellation reaches a handler.
    wait_seconds: how long a claim waits on the service for work (the long-poll):
    an idle worker sends one request per wait_seconds.
    shutdown_grace_seconds: on SIGTERM/SIGINT, how long running handlers may finish;
    the runs still running then are given back (PENDING, same attempt).
    """

    def __init__(
        self,
        client: Client,
        runner_id: str,
        *,
        concurrency: int = 16,
        lease_seconds: float = 60.0,
        heartbeat_seconds: float | None = None,
        wait_seconds: float = 10.0,
        shutdown_grace_seconds: float = 10.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.client = client
        self.runner_id = runner_id
        self.concurrency = concurrency
        self.lease_seconds = float(lease_seconds)
        self.heartbeat_seconds = heartbeat_seconds or min(5.0, self.lease_seconds / 6)
        self.wait_seconds = wait_seconds
        self.shutdown_grace_seconds = shutdown_grace_seconds
        self._modules: dict[str, Handler] = {}
        self._held: dict[str, _Held] = {}
        self._lease_deadline = 0.0  # monotonic; the runner's lease is surely alive until then
        self._stopping: asyncio.Event | None = None
        self._slot_freed: asyncio.Event | None = None
        self._beat_now: asyncio.Event | None = None
        self._beat_waiters: list[asyncio.Future[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unstarted: list[tuple[str, Any]] = []

    # -- registration and entry points --------------------------------------------------
    def module(self, name: str) -> Callable[[Handler], Handler]:
        """`@worker.module("mailer.send")`: the handler of that module's runs, called as
        `handler(inputs, ctx)` (async, or a plain function run in a thread)."""

        def register(fn: Handler) -> Handler:
            self._modules[name] = fn
            return fn

        return register

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT, then drain (blocks)."""
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
            logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        asyncio.run(self.serve(handle_signals=True))

    def stop(self) -> None:
        """Begin a graceful stop (from any thread)."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def serve(self, *, handle_signals: bool = False) -> None:
        """Claim and run until stop() (or a signal, with handle_signals), then drain."""
        if not self._modules:
            raise ValueError("no module registered: use @worker.module(name)")
        self._loop = asyncio.get_running_loop()
        self._stopping, self._slot_freed, self._beat_now = (
            asyncio.Event(),
            asyncio.Event(),
            asyncio.Event(),
        )
        signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
        for sig in signals:
            self._loop.add_signal_handler(sig, self._stopping.set)
        beats = asyncio.create_task(self._heartbeat_loop())
        log.info(
            "worker %s ready: modules %s, concurrency %d",
            self.runner_id,
            ",".join(sorted(self._modules)),
            self.concurrency,
        )
        claims = asyncio.create_task(self._claim_loop())
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait([claims, stopped], return_when=asyncio.FIRST_COMPLETED)
            if claims.done():
                claims.result()  # a claim refused for good: raise it
            await claims  # a claim that was out is abandoned
            await self._drain()
        finally:
            claims.cancel()
            stopped.cancel()
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
            for sig in signals:
                self._loop.remove_signal_handler(sig)
            await self.client.aclose()
        log.info("worker %s stopped", self.runner_id)

    # -- claiming -----------------------------------------------------------------------
    async def _until(self, *events: asyncio.Event, within: float | None = None) -> None:
        waits = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait(waits, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def _until_done(self, task: asyncio.Future[Any], event: asyncio.Event) -> None:
        waiting = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()

    async def _claim_loop(self) -> None:
        assert self._stopping is not None and self._slot_freed is not None
        backoff = _Backoff(0.1, 5.0)
        modules = sorted(self._modules)
        while not self._stopping.is_set():
            free = self.concurrency - len(self._held)
            if free <= 0:
                self._slot_freed.clear()
                await self._until(self._slot_freed, self._stopping)
                continue
            sent = time.monotonic()
            claiming = asyncio.ensure_future(
                protocol.claim(
                    self.client,
                    self.runner_id,
                    modules,
                    min(free, 500),
                    self.lease_seconds,
                    self.wait_seconds,
                )
            )
            await self._until_done(claiming, self._stopping)
            if not claiming.done():
                # a stop: abandon the long-poll (the service sees the connection close
                # and leases nothing more for it) rather than wait it out
                claiming.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await claiming
                return
            try:
                runs = claiming.result()
            except (Unavailable, LeaseLost) as exc:
                log.warning("claim failed, trying again: %s", exc)
                await self._until(self._stopping, within=backoff.delay())
                continue
            except Rejected as exc:
                log.error("claim refused (check the key and runner id): %s", exc)
                raise
            backoff.reset()
            if runs:
                # a claim leaves the lease with at least 90% of its length (run_claim)
                self._lease_deadline = max(self._lease_deadline, sent + 0.9 * self.lease_seconds)
            if self._stopping.is_set():  # claimed while a stop began: the drain gives back
                self._unstarted = [(r["id"], r["leaseToken"]) for r in runs]
                return
            for run in runs:
                self._start(run)

    def _start(self, run: dict[str, Any]) -> None:
        run_id = str(run["id"])
        ctx = Context(
            run_id=run_id,
            execution_id=str(run.get("executionId")),
            step_key=str(run.get("stepKey")),
            module=str(run["module"]),
            attempt=int(run.get("attempt") or 1),
            idempotency_key=str(run.get("idempotencyKey")),
            config=run.get("config") or {},
            _heartbeat=self._heartbeat_now,
        )
        held = _Held(run_id, run["leaseToken"], ctx, data=run.get("inputs") or {})
        self._held[run_id] = held
        held.task = asyncio.create_task(self._execute(held, run["module"]))

    # -- one run ------------------------------------------------------------------------
    async def _execute(self, held: _Held, module: Any) -> None:
        try:
            outcome = await self._call_handler(held, self._modules[str(module)])
            if outcome is None or held.giving_back:
                return
            if held.lost:
                log.warning("run %s: lease lost, its result is dropped", held.run_id)
                return
            held.reporting = True
            await self._report(held, outcome)
        finally:
            self._held.pop(held.run_id, None)
            assert self._slot_freed is not None
            self._slot_freed.set()

    async def _call_handler(self, held: _Held, handler: Handler) -> _Outcome | None:
        ctx = held.ctx
        if inspect.iscoroutinefunction(handler):
            held.handler = asyncio.ensure_future(handler(held.data, ctx))
        else:
            held.handler = asyncio.ensure_future(asyncio.to_thread(handler, held.data, ctx))
        try:
            output = await held.handler
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the worker itself is being torn down
            if ctx.cancelled.reason == "cancelled":
                return _Outcome(error=CANCELLED, retryable=False)
            return None  # lease lost or given back: nothing to report
        except PermanentError as exc:
            return _Outcome(error=_error(exc), retryable=False)
        except Exception as exc:  # TransientError and anything else: worth another attempt
            log.info("run %s failed: %r", held.run_id, exc)
            return _Outcome(error=_error(exc), retryable=True)
        if ctx.cancelled.reason == "cancelled":
            return _Outcome(error=CANCELLED, retryable=False)
        try:
            json.dumps(output, allow_nan=False)
        except (TypeError, ValueError) as exc:
            message = f"the handler's output is not JSON: {exc}"
            return _Outcome(error={"message": message, "type": "invalid_output"}, retryable=False)
        return _Outcome(output=output)

    async def _report(self, held: _Held, outcome: _Outcome) -> None:
        """Until it lands, the lease is lost, or the lease surely expired: never dropped
        without a word."""
        backoff = _Backoff()
        while not held.lost:
            try:
                if outcome.error is None:
                    await protocol.complete(
                        self.client, self.runner_id, held.run_id, held.token, outcome.output
                    )
                else:
                    await protocol.fail(
                        self.client,
                        self.runner_id,
                        held.run_id,
                        held.token,
                        outcome.error,
                        retryable=outcome.retryable,
                    )
                return
            except LeaseLost:
                log.warning("run %s: lease lost, the service refused its result", held.run_id)
                return
            except Rejected as exc:
                if outcome.error is None and exc.status == 413:
                    message = "the handler's output is larger than the service accepts"
                    outcome = _Outcome(error={"message": message, "type": "invalid_output"})
                    outcome.retryable = False
                    continue
                log.error("run %s: report refused, not retried: %s", held.run_id, exc)
                return
            except Unavailable as exc:
                delay = backoff.delay()
                if time.monotonic() + delay > self._lease_deadline:
                    log.error(
                        "run %s: service unreachable until the lease expired; the engine "
                        "will run it again (%s)",
                        held.run_id,
                        exc,
                    )
                    return
                log.warning("run %s: report failed, trying again: %s", held.run_id, exc)
                await asyncio.sleep(delay)
        log.warning("run %s: lease lost while reporting, its result is dropped", held.run_id)

    # -- heartbeats ---------------------------------------------------------------------
    async def _heartbeat_now(self) -> None:
        assert self._beat_now is not None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._beat_waiters.append(done)
        self._beat_now.set()
        await done

    async def _heartbeat_loop(self) -> None:
        assert self._beat_now is not None
        while True:
            await self._until(self._beat_now, within=self.heartbeat_seconds)
            self._beat_now.clear()
            waiters, self._beat_waiters = self._beat_waiters, []
            try:
                await self._heartbeat_once()
            finally:
                for w in waiters:
                    if not w.done():
                        w.set_result(None)

    async def _heartbeat_once(self) -> None:
        held = [(h.run_id, h.token) for h in self._held.values() if not h.lost]
        if not held:
            return  # idle: nothing to keep alive, no request
        sent = time.monotonic()
        try:
            answers = await protocol.heartbeat(self.client, self.runner_id, held, None)
        except (Unavailable, Rejected, LeaseLost) as exc:
            log.warning("heartbeat failed: %s", exc)
            return
        if any(not lost for lost, _ in answers.values()):
            self._lease_deadline = sent + self.lease_seconds
        for run_id, (lost, cancel) in answers.items():
            h = self._held.get(run_id)
            if h is None:
                continue
            if lost:
                h.lost = True
                log.warning("run %s: lease lost, abandoned (nothing is reported)", run_id)
                self._stop_handler(h, "lost")
            elif cancel:
                self._stop_handler(h, "cancelled")

    def _stop_handler(self, held: _Held, reason: str) -> None:
        held.ctx.cancelled.set(reason)
        if held.handler is not None and not held.handler.done():
            held.handler.cancel()

    # -- shutdown -----------------------------------------------------------------------
    async def _drain(self) -> None:
        """Running handlers get the grace period; the rest are given back, with whatever
        else is still leased to this runner (a long-poll claim abandoned at the stop
        may have leased runs that never reached us)."""
        tasks = [h.task for h in self._held.values() if h.task is not None]
        if tasks:
            log.info(
                "draining: %d run(s) may finish within %.1f s",
                len(tasks),
                self.shutdown_grace_seconds,
            )
            await asyncio.wait(tasks, timeout=self.shutdown_grace_seconds)
        left = list(self._held.values())
        for h in left:
            h.giving_back = True
            self._stop_handler(h, "shutdown")
            if h.task is not None:
                h.task.cancel()
        await asyncio.gather(*(h.task for h in left if h.task), return_exceptions=True)
        await self._give_back(self._unstarted + [(h.run_id, h.token) for h in left if not h.lost])

    async def _give_back(self, held: list[tuple[str, Any]]) -> None:
        backoff = _Backoff()
        for _ in range(8):
            try:
                released = await protocol.release(self.client, self.runner_id, held, all_held=True)
                log.info("gave back %d unfinished run(s)", len(released))
                return
            except Unavailable as exc:
                log.warning("release failed, trying again: %s", exc)
                await asyncio.sleep(backoff.delay())
            except (Rejected, LeaseLost) as exc:
                log.error("release refused: %s", exc)
                break
        log.error(
            "could not give back %d run(s); the engine reclaims them after the lease", len(held)
        )
