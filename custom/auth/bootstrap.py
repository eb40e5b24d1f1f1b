"""Keys that exist from the start: VALKYR_BOOTSTRAP_KEY, and a development key.

On the embedded default database (no DATABASE_URL) the first start creates an
admin key, writes it to `<data dir>/dev-admin-key` and prints it, so a newcomer
can use Swagger UI at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg

from custom.auth.keys import ensure_key, new_secret
from custom.settings import Settings

log = logging.getLogger(__name__)
DEV_KEY_FILE = "dev-admin-key"


async def ensure_bootstrap_keys(pool: asyncpg.Pool, settings: Settings) -> None:
    if settings.bootstrap_key:
        await ensure_key(pool, "bootstrap-admin", "admin", settings.bootstrap_key)
    if settings.database_url is None:
        key_file = Path(settings.data_dir) / DEV_KEY_FILE
        if key_file.exists():
            secret = key_file.read_text().strip()
        else:
            secret = new_secret()
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secret + "\n")
            key_file.chmod(0o600)
        await ensure_key(pool, "dev-admin", "admin", secret)
        banner = (
            f"development admin key: {secret}  (kept in {key_file}; "
            "send it as 'Authorization: Bearer <key>' or 'X-API-Key')"
        )
        log.warning(banner)
        print(banner, flush=True)
