"""One DATABASE_URL: asyncpg for the service, SQLAlchemy for Alembic's migrations."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def asyncpg_url(url: str) -> str:
    """`postgresql://…` for asyncpg (drops a SQLAlchemy `+driver`)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return urlunsplit((scheme, *parts[1:]))


def sqlalchemy_url(url: str) -> str:
    """`postgresql+asyncpg://…` for SQLAlchemy's async engine (migrations only)."""
    parts = urlsplit(asyncpg_url(url))
    return urlunsplit(("postgresql+asyncpg", *parts[1:]))
