"""Keys that exist from the start: VALKYR_BOOTSTRAP_KEY, or else a development key.

- VALKYR_BOOTSTRAP_KEY: an admin key with exactly that secret is ensured at every
  start (the operator restates it each time), and no development key is made.
- Otherwise, on the embedded default database (no DATABASE_URL), the first start
  makes an admin key `dev-admin`, keeps its secret in `<data dir>/dev-admin-key`
  (mode 0600) and prints it once, to the terminal only: never to the log (which is
  JSON off a terminal and is shipped elsewhere), and not even to stdout when that
  is not a terminal (then the log says where the key is kept, not the key). Later
  starts print nothing.
  A revoked development key stays revoked: no start brings it back.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import asyncpg

from custom.auth.keys import ensure_key, hash_secret, new_secret
from custom.settings import Settings
from custom.sql import q
from generated.constants import Role

log = logging.getLogger(__name__)
DEV_KEY_FILE = "dev-admin-key"
DEV_KEY_NAME = "dev-admin"


async def ensure_bootstrap_keys(
    pool: asyncpg.Pool, settings: Settings, terminal: TextIO | None = None
) -> None:
    if settings.bootstrap_key:
        await ensure_key(pool, "bootstrap-admin", Role.ADMIN, settings.bootstrap_key)
    elif settings.database_url is None:
        await ensure_dev_key(pool, Path(settings.data_dir), terminal or sys.stdout)


async def ensure_dev_key(pool: asyncpg.Pool, data_dir: Path, terminal: TextIO) -> None:
    key_file = data_dir / DEV_KEY_FILE
    row = await pool.fetchrow(q("api_key_by_name"), DEV_KEY_NAME)
    if row is not None and row["revoked_at"] is not None:
        log.info(
            "the development key was revoked at %s and is not made again; "
            "create keys with `valkyr keys create`",
            row["revoked_at"],
        )
        return
    secret = key_file.read_text().strip() if key_file.exists() else None
    if secret and row is not None and row["key_hash"] == hash_secret(secret):
        log.info("development admin key: kept in %s", key_file)
        return
    created = secret is None
    if secret is None:
        secret = new_secret()
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secret + "\n")
    await ensure_key(pool, DEV_KEY_NAME, Role.ADMIN, secret)
    if created:
        show_once(secret, key_file, terminal)
    else:
        log.info("development admin key restored from %s", key_file)


def show_once(secret: str, key_file: Path, terminal: TextIO) -> None:
    isatty = getattr(terminal, "isatty", None)
    if isatty is not None and isatty():
        print(
            f"development admin key: {secret}  (kept in {key_file}; "
            "send it as 'Authorization: Bearer <key>' or 'X-API-Key')",
            file=terminal,
            flush=True,
        )
    else:  # output that is kept or shipped somewhere: say where the key is, not the key
        log.warning(
            "development admin key created, kept in %s (not shown: stdout is not a terminal)",
            key_file,
        )
