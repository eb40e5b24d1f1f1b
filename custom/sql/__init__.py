"""Named SQL queries, loaded once from the `.sql` files beside this module.

Each query sits under a `-- name: <query_name>` header followed by comment lines
that describe it (the procrastinate layout). Hot-path SQL lives here, not in
handlers. Queries that take `$now` use `coalesce($n::timestamptz, now())`, so
tests move time instead of sleeping (River's injectable clock).

A line `-- include: <name>` stands for the text of another named query (a fragment):
the claim is built from fragments so that its variant without rate limits
(run_claim_unlimited) repeats none of run_claim's SQL.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

_HEADER = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)
_INCLUDE = re.compile(r"^\s*--\s*include:\s*(\w+)\s*$")


def parse_queries(text: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    parts = _HEADER.split(text)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = [
            ln
            for ln in body.strip().splitlines()
            if _INCLUDE.match(ln) or not ln.lstrip().startswith("--")
        ]
        if name in queries:
            raise ValueError(f"query {name} is defined twice")
        queries[name] = "\n".join(lines).strip()
    return queries


@cache
def queries() -> dict[str, str]:
    found: dict[str, str] = {}
    sql_files = [f for f in files(__name__).iterdir() if f.name.endswith(".sql")]
    for path in sorted(sql_files, key=lambda f: f.name):
        for name, sql in parse_queries(path.read_text()).items():
            if name in found:
                raise ValueError(f"query {name} is defined twice ({path.name})")
            found[name] = sql
    return {name: _expand(sql, found) for name, sql in found.items()}


def _expand(sql: str, found: dict[str, str], depth: int = 0) -> str:
    """`sql` with each include line replaced by the named query's (expanded) text."""
    if depth > 8:
        raise ValueError("-- include: nested more than 8 deep (a cycle?)")
    out = []
    for line in sql.splitlines():
        m = _INCLUDE.match(line)
        out.append(_expand(found[m.group(1)], found, depth + 1) if m else line)
    return "\n".join(out)


def q(name: str) -> str:
    """The SQL text of a named query."""
    return queries()[name]
