"""`valkyr`: serve the API (with runners and reaper), run a runner alone, migrate."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings

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
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level=args.log_level,
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
    upgrade(resolve_database_url(settings.database_url, settings.data_dir))
    print("database is at the latest revision")


def main(argv: list[str] | None = None) -> None:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
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
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    args.func(args)


if __name__ == "__main__":
    main()
