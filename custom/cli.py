"""`valkyr`: serve the API (with runners and reaper), run a runner alone, migrate, manage keys."""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from typing import Any

from custom.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "no_migrate", False):
        overrides["migrate"] = False
    return Settings.from_env(**overrides)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from custom.app import create_app

    settings = _settings(args)
    uvicorn.run(
        create_app(settings, announce_urls=True),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level=args.log_level,
        log_config=None,  # uvicorn's loggers propagate to our (JSON or text) root handler
        lifespan="on",
        timeout_graceful_shutdown=10,
    )


def runner(args: argparse.Namespace) -> None:
    from custom.runner.standalone import run_standalone

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
    p = sub.add_parser("keys", help="manage API keys in DATABASE_URL (or the embedded default)")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    k = keys_sub.add_parser("create", help="create a key and print its secret (once)")
    k.add_argument("--name", required=True)
    k.add_argument("--role", required=True, choices=["viewer", "runner", "operator", "admin"])
    keys_sub.add_parser("list", help="list keys (never their secrets)")
    k = keys_sub.add_parser("revoke", help="revoke a key by id; it stops working at once")
    k.add_argument("id")
    p.set_defaults(func=keys)
    args = parser.parse_args(argv)
    from custom.observability.logging import configure_logging

    configure_logging(str(getattr(args, "log_level", "info")).upper())
    args.func(args)


if __name__ == "__main__":
    main()
