"""The service: a connexion AsyncApp built from spec/openapi.yaml.

`create_app()` is the one place that wires spec, resolver, error handling,
request guards and the lifespan (database, migrations, runners, reaper).
"""

from custom.app.factory import create_app

__all__ = ["create_app"]
