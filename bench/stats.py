"""Percentiles, medians over repeats, an open-loop pacer, CPU readings."""

from __future__ import annotations

import asyncio
import math
import resource
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank-with-interpolation percentile (p in 0..100); None when empty."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    """p50/p95/p99/max in milliseconds (and the count)."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": _r(percentile(ms, 50)),
        "p95_ms": _r(percentile(ms, 95)),
        "p99_ms": _r(percentile(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
    }


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def median_of(runs: list[Any]) -> Any:
    """Element-wise median of repeated results (dicts of numbers, nested)."""
    if not runs:
        return None
    first = runs[0]
    if isinstance(first, dict):
        return {k: median_of([r.get(k) for r in runs if isinstance(r, dict)]) for k in first}
    nums = [r for r in runs if isinstance(r, int | float) and not isinstance(r, bool)]
    if nums and len(nums) == len([r for r in runs if r is not None]):
        m = statistics.median(nums)
        return round(m, 3) if isinstance(m, float) else m
    if all(isinstance(r, bool) for r in runs):
        return all(runs)
    return first


class Cpu:
    """CPU seconds of this process (user + system) over a window."""

    def start(self) -> None:
        self._t0 = self._now()

    @staticmethod
    def _now() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    def stop(self) -> float:
        return self._now() - self._t0


async def open_loop(
    rate: float,
    duration: float,
    submit: Callable[[int, float], Awaitable[Any]],
    *,
    start_index: int = 0,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Call `submit(i)` at `rate`/s for `duration` s without waiting for earlier calls.

    Open loop: a slow submission does not delay the next one (it only piles up).
    `submit(i, due)` gets the wall-clock time (time.time()) the call was scheduled for,
    so latency can be measured from the schedule (no coordinated omission).
    Returns the counts, the issue rate, the committed rate and how late calls started.
    """
    n = int(round(rate * duration))
    t0 = time.monotonic()
    wall0 = time.time()
    ok = 0
    tasks: list[asyncio.Task[Any]] = []
    lags: list[float] = []
    errors: list[str] = []

    async def one(i: int, due: float) -> None:
        nonlocal ok
        lags.append(time.monotonic() - due)
        try:
            await submit(start_index + i, wall0 + (due - t0))
            ok += 1
        except Exception as exc:  # counted, never raised: a benchmark reports
            errors.append(f"{type(exc).__name__}: {exc}")

    i = 0
    while i < n:
        now = time.monotonic()
        if deadline is not None and now > deadline:
            break
        while i < n and t0 + i / rate <= now:
            tasks.append(asyncio.create_task(one(i, t0 + i / rate)))
            i += 1
        if i < n:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
    issued = time.monotonic() - t0
    if tasks:
        remaining = None if deadline is None else max(1.0, deadline - time.monotonic())
        done, pending = await asyncio.wait(tasks, timeout=remaining)
        for t in pending:
            t.cancel()
        if pending:
            errors.append(f"{len(pending)} submission(s) still pending at the deadline")
    finished = time.monotonic() - t0
    return {
        "target_rate": rate,
        "planned": n,
        "issued": i,
        "errors": len(errors),
        "first_errors": errors[:3],
        "issue_seconds": round(issued, 3),
        "achieved_rate": round(i / issued, 1) if issued > 0 else None,
        "all_done_seconds": round(finished, 3),
        # what the submit path really sustained: submissions committed / time to the last one
        "committed_rate": round(ok / finished, 1) if finished > 0 else None,
        "start_lag_ms": latency_summary(lags),
    }


async def bounded_gather(
    n: int, concurrency: int, fn: Callable[[int], Awaitable[Any]]
) -> list[Any]:
    """fn(0..n-1) with at most `concurrency` in flight (workers pulling indexes)."""
    results: list[Any] = [None] * n
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            results[i] = await fn(i)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))
    return results


class GcPauses:
    """Pauses of Python's cyclic garbage collector (gc.callbacks), per window."""

    def __init__(self) -> None:
        import gc

        self._gc = gc
        self.pauses: list[tuple[int, float]] = []
        self._t: float | None = None

    def _cb(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        elif self._t is not None:
            self.pauses.append((info.get("generation", -1), time.perf_counter() - self._t))
            self._t = None

    def __enter__(self) -> GcPauses:
        self._gc.callbacks.append(self._cb)
        return self

    def __exit__(self, *_: object) -> None:
        self._gc.callbacks.remove(self._cb)

    def mark(self) -> int:
        return len(self.pauses)

    def summary(self, since: int = 0) -> dict[str, Any]:
        ps = self.pauses[since:]
        gen2 = [d for g, d in ps if g == 2]
        return {
            "collections": len(ps),
            "gen2_collections": len(gen2),
            "total_ms": round(sum(d for _, d in ps) * 1000, 1),
            "max_ms": round(max((d for _, d in ps), default=0.0) * 1000, 1),
            "gen2_max_ms": round(max(gen2, default=0.0) * 1000, 1),
        }


class LoopLag:
    """How late the event loop runs a 10 ms timer: the stall any task sees."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, time.perf_counter() - t - self.interval))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def mark(self) -> int:
        return len(self.lags)

    def summary(self, since: int = 0) -> dict[str, Any]:
        return latency_summary(self.lags[since:])
