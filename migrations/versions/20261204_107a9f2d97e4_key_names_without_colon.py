"""key names without colon

API key names are now `[A-Za-z0-9][A-Za-z0-9._-]*` (no `:`): a runner key acts
as `<name>` or `<name>:<suffix>`, so a key `mailer` covered the runners of a key
named `mailer:eu`. Existing keys whose names do not fit are renamed, not revoked:
every other character becomes `-`, a name that does not start with a letter or
digit gets a `k` in front, and a name already taken gets `-2`, `-3`, ... A renamed
runner key keeps working once its runners send the new name as runnerId (their
claims answer 403 naming the runnerId they may use until then). Each rename is
logged; downgrade keeps the new names (they fit the old rule too).

Revision ID: 107a9f2d97e4
Revises: 5832adbd8b86
Create Date: 2026-12-04 15:45:15.411339

"""
import logging
import re
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate references sqlmodel types)


# revision identifiers, used by Alembic.
revision: str = '107a9f2d97e4'
down_revision: Union[str, Sequence[str], None] = '5832adbd8b86'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

log = logging.getLogger("alembic.runtime.migration")
VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX = 200


def fits(name: str) -> bool:
    return len(name) <= MAX and VALID.match(name) is not None


def conforming(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    if not (base[:1].isascii() and base[:1].isalnum()):
        base = "k" + base
    base = base[:MAX]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX - len(suffix)] + suffix
    return candidate


def upgrade() -> None:
    """Rename the keys whose names no longer fit the pattern."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM api_keys ORDER BY created_at, id")).all()
    taken = {name for _id, name in rows if fits(name)}
    for key_id, name in rows:
        if fits(name):
            continue
        new = conforming(name, taken)
        taken.add(new)
        conn.execute(
            sa.text("UPDATE api_keys SET name = :new WHERE id = :id"), {"new": new, "id": key_id}
        )
        log.warning("API key %s renamed from %r to %r (key names may not hold ':')", key_id, name, new)


def downgrade() -> None:
    """The new names stay."""
