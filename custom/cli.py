"""`valkyr`: serve the API (with runners and reaper), run a runner alone, migrate, manage keys;
`executions` and `dlq` work a running service through its API (valkyr_client.cli)."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
import warnings
from typing import Any

from custom.settings import Settings, SettingsError
from generated.constants import Role


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "no_migrate", False):
        overrides["migrate"] = False
    return Settings.from_env(**overrides)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from custom.app import create_app
    from custom.app.http_limits import protocol_with
    from custom.app.workers import http_limits, serve_workers

    settings = _settings(args)
    if settings.web_workers > 1:
        serve_workers(settings, args.log_level, uvicorn.run)
        return
    uvicorn.run(
        create_app(settings, announce_urls=True),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=protocol_with(http_limits(settings)),  # httptools, bounded (custom/app/http_limits.py)
        log_level=args.log_level,
        log_config=None,  # uvicorn's loggers propagate to our (JSON or text) root handler
        lifespan="on",
        timeout_graceful_shutdown=10,
    )


def runner(args: argparse.Namespace) -> None:
    from custom.engine.standalone import run_standalone

    run_standalone(_settings(args))


def migrate(args: argparse.Namespace) -> None:
    from custom.db.embedded import resolve_database_url
    from custom.db.migrate import upgrade

    settings = _settings(args)
    upgrade(resolve_database_url(settings.database_url, settings.data_dir))  # says where it is


async def _keys(args: argparse.Namespace) -> int:
    import asyncpg

    from custom.auth.keys import create_key, list_keys, revoke_key
    from custom.db.embedded import resolve_database_url
    from custom.db.urls import asyncpg_url

    settings = _settings(args)
    url = resolve_database_url(settings.database_url, settings.data_dir)
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        if args.keys_command == "create":
            try:
                record, secret = await create_key(conn, args.name, args.role)
            except asyncpg.UniqueViolationError:
                print(f"a key named {args.name!r} already exists", file=sys.stderr)
                return 1
            except ValueError as exc:
                print(exc, file=sys.stderr)
                return 2
            print(f"created {record['role']} key {record['name']!r} (id {record['id']})")
            print(f"secret (shown only now, store it): {secret}")
        elif args.keys_command == "list":
            rows = await list_keys(conn)
            print(_key_table(rows))
        else:
            import uuid

            try:
                key_id = uuid.UUID(args.id)
            except ValueError:
                print(f"{args.id!r} is not a key id (UUID)", file=sys.stderr)
                return 2
            record = await revoke_key(conn, key_id)
            if record is None:
                print(f"no key with id {key_id}", file=sys.stderr)
                return 1
            print(f"revoked key {record['name']!r} (id {record['id']}) at {record['revoked_at']}")
    except asyncpg.UndefinedTableError:
        print("the database has no schema yet: run `valkyr migrate` first", file=sys.stderr)
        return 1
    finally:
        await conn.close()
    return 0


def _moment(text: str) -> datetime.datetime:
    """`2026-11-01` (midnight UTC) or an ISO 8601 time (UTC when it names no zone)."""
    try:
        at = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date or an ISO 8601 time") from None
    return at if at.tzinfo else at.replace(tzinfo=datetime.UTC)


async def _purge(args: argparse.Namespace) -> int:
    import asyncpg

    from custom.db.embedded import resolve_database_url
    from custom.db.pools import create_pool
    from custom.executions.purge import purge_finished_before

    settings = _settings(args)
    url = resolve_database_url(settings.database_url, settings.data_dir)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        purged = await purge_finished_before(pool, args.before, batch=args.batch)
    except asyncpg.UndefinedTableError:
        print("the database has no schema yet: run `valkyr migrate` first", file=sys.stderr)
        return 1
    finally:
        await pool.close()
    print(f"deleted {purged} (executions finished before {args.before.isoformat()})")
    return 0


def purge(args: argparse.Namespace) -> None:
    code = asyncio.run(_purge(args))
    if code:
        raise SystemExit(code)


def _key_table(rows: list[dict[str, Any]]) -> str:
    head = ("ID", "NAME", "ROLE", "PREFIX", "CREATED", "REVOKED", "LAST USED")

    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"

    lines = [head] + [
        (
            str(r["id"]),
            r["name"],
            r["role"],
            r["prefix"],
            when(r["created_at"]),
            when(r["revoked_at"]),
            when(r["last_used_at"]),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def keys(args: argparse.Namespace) -> None:
    code = asyncio.run(_keys(args))
    if code:
        raise SystemExit(code)


def _remote_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`executions` and `dlq`: an operator's commands over the API (clients/python)."""
    try:
        from valkyr_client.cli import add_commands
    except ImportError:  # the client package is not installed (make setup installs it)
        return
    add_commands(sub)


def main(argv: list[str] | None = None) -> None:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    # connexion imports starlette's TestClient, which warns about httpx; nothing here uses it
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    parser = argparse.ArgumentParser(prog="valkyr", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve the API with the in-process runners and reaper")
    p.add_argument("--no-migrate", action="store_true", help="do not apply migrations at start")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=serve)
    p = sub.add_parser("runner", help="run a runner pool alone against DATABASE_URL")
    p.add_argument("--no-migrate", action="store_true")
    p.set_defaults(func=runner)
    p = sub.add_parser("migrate", help="apply pending migrations and exit")
    p.set_defaults(func=migrate)
    p = sub.add_parser(
        "purge",
        help="delete finished executions (runs, dead letters, audit) finished before a date",
        description="Delete, in small batches, the COMPLETED, FAILED and CANCELLED executions "
        "that finished before --before, with their runs, dead letters and audit rows. "
        "Executions with a dead letter still QUARANTINED, or a run still leased, are kept. "
        "The service does the same by itself for VALKYR_RETENTION_DAYS.",
    )
    p.add_argument("--before", required=True, type=_moment, help="YYYY-MM-DD or ISO 8601 time")
    p.add_argument("--batch", type=int, default=200, help="executions per transaction")
    p.set_defaults(func=purge)
    p = sub.add_parser("keys", help="manage API keys in DATABASE_URL (or the embedded default)")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    k = keys_sub.add_parser("create", help="create a key and print its secret (once)")
    k.add_argument("--name", required=True)
    k.add_argument("--role", required=True, choices=[role.value for role in Role])
    keys_sub.add_parser("list", help="list keys (never their secrets)")
    k = keys_sub.add_parser("revoke", help="revoke a key by id; it stops working at once")
    k.add_argument("id")
    p.set_defaults(func=keys)
    _remote_commands(sub)
    args = parser.parse_args(argv)
    from custom.observability.logging import configure_logging

    configure_logging(str(getattr(args, "log_level", "info")).upper())
    try:
        args.func(args)
    except SettingsError as exc:  # a bad VALKYR_* value: say which, no traceback
        for line in str(exc).splitlines():
            print(f"valkyr: {line}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
