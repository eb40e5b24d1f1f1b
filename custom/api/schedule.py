"""Schedules over REST: create and replace (validated, with their next firing
computed) and a firing by hand. list/get/delete are the generated CRUD."""

from __future__ import annotations

import datetime
from typing import Any

import asyncpg
from connexion import request

from custom.api import serializers
from custom.executions.context import EngineContext
from custom.schedules.cron import CronError
from custom.schedules.firing import clock_now, next_fire, start_scheduled
from custom.sql import q
from generated.constants import (
    SCHEDULE_CATCHUP_WINDOW_SECONDS_DEFAULT,
    SCHEDULE_OVERLAP_DEFAULT,
    SCHEDULE_TIMEZONE_DEFAULT,
)
from generated.repositories.schedule import ScheduleRepository
from generated.runtime import not_found, ok, parse_uuid, problem, transaction
from generated.serializers import schedule as serialize


def _invalid(detail: str) -> Exception:
    return problem(422, "Invalid schedule", detail, "invalid-schedule")


def _values(body: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """The columns of a schedule from its body, with its first firing after `now`;
    a 422 when it has not exactly one of cron and intervalSeconds, a cron or time
    zone that cannot be read, or a cron that never fires."""
    cron, interval = body.get("cron"), body.get("intervalSeconds")
    if (cron is None) == (interval is None):
        raise _invalid("a schedule has exactly one of cron and intervalSeconds")
    values = {
        "workflow_id": parse_uuid(body["workflowId"]),
        "cron": cron,
        "timezone": body.get("timezone", SCHEDULE_TIMEZONE_DEFAULT),
        "interval_seconds": interval,
        "inputs": body.get("inputs") or {},
        "paused": bool(body.get("paused", False)),
        "overlap": body.get("overlap", SCHEDULE_OVERLAP_DEFAULT),
        "catchup_window_seconds": body.get(
            "catchupWindowSeconds", SCHEDULE_CATCHUP_WINDOW_SECONDS_DEFAULT
        ),
    }
    try:
        values["next_fire_at"] = next_fire(values, now)
    except CronError as exc:
        raise _invalid(str(exc)) from None
    if values["next_fire_at"] is None:
        raise _invalid(f"cron {cron!r} never fires (no calendar day matches it)")
    return values


async def _workflow_must_exist(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    if await conn.fetchval(q("workflow_current_version"), values["workflow_id"]) is None:
        raise not_found("Workflow", values["workflow_id"])


def _context() -> EngineContext:
    ctx: EngineContext = request.state.engine.context
    return ctx


async def create_schedule(body: dict[str, Any]) -> Any:
    async with transaction() as conn:
        values = _values(body, await clock_now(conn, _context()))
        await _workflow_must_exist(conn, values)
        row = await ScheduleRepository(conn).create(values)
    return ok(serialize(row), 201)


async def update_schedule(id_: str, body: dict[str, Any]) -> Any:
    """Every field replaced; the next firing counted again from now."""
    schedule_id = parse_uuid(id_)
    async with transaction() as conn:
        values = _values(body, await clock_now(conn, _context()))
        await _workflow_must_exist(conn, values)
        row = await ScheduleRepository(conn).update(schedule_id, values)
    if row is None:
        raise not_found("Schedule", id_)
    return ok(serialize(row))


async def trigger_schedule(id_: str) -> Any:
    """Fire now, paused or not, whatever the overlap policy: 201 with the execution."""
    ctx = _context()
    async with transaction() as conn:
        schedule = await ScheduleRepository(conn).get(parse_uuid(id_), for_update=True)
        if schedule is None:
            raise not_found("Schedule", id_)
        now = await clock_now(conn, ctx)
        started = await start_scheduled(conn, schedule, now, now, ctx)
        if started is None:
            raise problem(409, "Conflict", "this moment fired already", "schedule-fired")
        await conn.execute(q("schedule_triggered"), schedule["id"], now)
    return ok(serializers.workflow_execution(started.execution), 201)
