"""Which spec operation a concrete request path and method name, without connexion's router.

The request guard answers some requests (405, 415, NUL characters) before
connexion routes them, so it matches paths against the spec itself; static
paths win over templated ones, as in OpenAPI (`/Run/claim` before `/Run/{id}`).
"""

from __future__ import annotations

import re

from generated.operations import ALLOWED_METHODS, BASE_PATH, OPERATIONS, OperationInfo


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


def _by_specificity(path: str) -> int:
    return path.count("{")


_ALLOW = [
    (_template_regex(BASE_PATH + path), methods)
    for path, methods in sorted(ALLOWED_METHODS.items(), key=lambda item: _by_specificity(item[0]))
]
_OPERATIONS = [
    (_template_regex(BASE_PATH + op.path), op)
    for op in sorted(OPERATIONS.values(), key=lambda op: _by_specificity(op.path))
]


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods the spec declares for a concrete path (static paths win); () if unknown."""
    for regex, methods in _ALLOW:
        if regex.match(path):
            return methods
    return ()


def operation_at(method: str, path: str) -> OperationInfo | None:
    """The operation a request reaches, or None when the spec has none for it."""
    for regex, op in _OPERATIONS:
        if op.method == method and regex.match(path):
            return op
    return None
