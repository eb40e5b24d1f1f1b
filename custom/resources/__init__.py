"""Files the service reads at run time, found with importlib.resources wherever it runs:
a checkout, an editable install or an installed wheel.

`openapi.yaml` and `migrations` here are links to `spec/openapi.yaml` and `migrations/`
at the top of the repository, which stay where the architecture puts them (the spec
drives `templates/` and `generated/`; Alembic's own tooling works in `migrations/`).
Building the wheel copies what they point at (package-data in pyproject.toml): one
copy in git, no build step, and the same lookup in development and in production.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(name: str) -> Path:
    """A file or folder of this package as a path (connexion and Alembic want paths)."""
    found = files(__name__) / name
    if not isinstance(found, Path):  # e.g. imported from a zip: pip never installs so
        raise RuntimeError(f"{__name__}/{name} is not on the file system ({found!r})")
    return found


def spec_dir() -> Path:
    """The folder of `openapi.yaml`, the spec connexion serves and validates against."""
    return resource_path("openapi.yaml").parent


def migrations_dir() -> Path:
    """Alembic's script location: env.py and versions/."""
    return resource_path("migrations")
