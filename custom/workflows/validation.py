"""Validation and normalisation of workflow step definitions.

The OpenAPI schema checks shapes; this module checks what a schema cannot:
unique keys, a dependency graph without unknown keys or cycles, consistent
retry settings, and that every ``${steps.X...}`` reference points at a step
that is guaranteed to have finished first (an ancestor through ``dependsOn``).
It also fills defaults, so everything downstream (dispatcher, runner, backoff)
can read a step without guessing. Errors carry the step key and field so the
API can answer a precise 400 problem.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from custom.workflows.dag import ancestors, find_cycle
from custom.workflows.references import (
    InputReferenceError,
    parse_reference,
    referenced_steps,
)
from custom.workflows.waits import is_wait, wait_config_problem
from generated.constants import (
    MODULE_NAME_PATTERN,
    RETRY_DEFAULTS,
    RETRY_MAXIMUMS,
    RETRY_MINIMUMS,
    STEP_KEY_PATTERN,
    STEP_TIMEOUT_SECONDS_DEFAULT,
    STEP_TIMEOUT_SECONDS_MAXIMUM,
    STEP_TIMEOUT_SECONDS_MINIMUM,
)

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_ATTEMPTS_LIMIT",
    "WorkflowValidationError",
    "validate_steps",
]

# the spec's RetryPolicy and Step are where these are stated (generated/constants.py)
DEFAULT_RETRY: dict[str, Any] = dict(RETRY_DEFAULTS)
DEFAULT_TIMEOUT_SECONDS = STEP_TIMEOUT_SECONDS_DEFAULT
MAX_ATTEMPTS_LIMIT = RETRY_MAXIMUMS["maxAttempts"]

# Step keys appear inside ``${steps.<key>.output}`` references, so the spec's pattern
# has no '.', braces or whitespace. (These once allowed 128-character keys and ':' and
# '/' in module names, which the API's own validation, from the spec, refused.)
_STEP_KEY_RE = re.compile(STEP_KEY_PATTERN)
_MODULE_RE = re.compile(MODULE_NAME_PATTERN)


class WorkflowValidationError(ValueError):
    """A workflow definition is invalid; maps to a 400 problem response."""

    def __init__(self, message: str, step_key: str | None = None, field: str | None = None):
        self.message = message
        self.step_key = step_key
        self.field = field
        where = []
        if step_key is not None:
            where.append(f"step {step_key!r}")
        if field is not None:
            where.append(field)
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite_number(value: Any, key: str, field: str) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise WorkflowValidationError(f"must be a finite number, got {value!r}", key, field)
    return float(value)


def _bounded_retry_number(retry: dict[str, Any], name: str, key: str) -> float:
    """A finite number within the spec's minimum and maximum for this retry field."""
    field = f"retry.{name}"
    value = _finite_number(retry[name], key, field)
    lowest, highest = RETRY_MINIMUMS.get(name), RETRY_MAXIMUMS.get(name)
    if lowest is not None and value < lowest:
        raise WorkflowValidationError(f"must be >= {lowest}", key, field)
    if highest is not None and value > highest:
        raise WorkflowValidationError(f"must be <= {highest}", key, field)
    return value


def _normalise_retry(raw: Any, key: str) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise WorkflowValidationError("must be an object", key, "retry")
    unknown = set(raw) - set(DEFAULT_RETRY)
    if unknown:
        raise WorkflowValidationError(f"unknown field(s) {sorted(unknown)}", key, "retry")
    retry = {**DEFAULT_RETRY, **{k: v for k, v in raw.items() if v is not None}}

    attempts = retry["maxAttempts"]
    if not isinstance(attempts, int) or isinstance(attempts, bool):
        raise WorkflowValidationError(
            f"must be an integer, got {attempts!r}", key, "retry.maxAttempts"
        )
    lowest, highest = RETRY_MINIMUMS["maxAttempts"], MAX_ATTEMPTS_LIMIT
    if not lowest <= attempts <= highest:
        raise WorkflowValidationError(
            f"must be between {lowest} and {highest}, got {attempts}", key, "retry.maxAttempts"
        )
    initial = _bounded_retry_number(retry, "initialBackoffSeconds", key)
    maximum = _bounded_retry_number(retry, "maxBackoffSeconds", key)
    _bounded_retry_number(retry, "backoffMultiplier", key)
    if initial > maximum:
        raise WorkflowValidationError(
            f"initialBackoffSeconds ({initial:g}) exceeds maxBackoffSeconds ({maximum:g})",
            key,
            "retry.initialBackoffSeconds",
        )
    if not isinstance(retry["jitter"], bool):
        raise WorkflowValidationError("must be a boolean", key, "retry.jitter")
    return retry


def _normalise_step(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise WorkflowValidationError(f"step #{index} must be an object", None, "steps")
    key = raw.get("key")
    if not isinstance(key, str) or not _STEP_KEY_RE.match(key):
        raise WorkflowValidationError(
            f"step #{index} needs a key of letters, digits, '_' or '-' matching "
            f"{STEP_KEY_PATTERN}, got {key!r}",
            None,
            "key",
        )
    module = raw.get("module")
    if not isinstance(module, str) or not _MODULE_RE.match(module):
        raise WorkflowValidationError(f"invalid module name {module!r}", key, "module")

    step = copy.deepcopy(raw)
    for field in ("config", "inputs"):
        value = step.get(field)
        if value is None:
            step[field] = {}
        elif not isinstance(value, dict):
            raise WorkflowValidationError("must be an object", key, field)
    if is_wait(step):
        problem = wait_config_problem(step["config"])
        if problem is not None:
            raise WorkflowValidationError(problem[1], key, problem[0])

    depends = step.get("dependsOn")
    if depends is None:
        depends = []
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise WorkflowValidationError("must be a list of step keys", key, "dependsOn")
    step["dependsOn"] = depends

    step["retry"] = _normalise_retry(step.get("retry"), key)

    timeout = step.get("timeoutSeconds")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT_SECONDS
    lowest, highest = STEP_TIMEOUT_SECONDS_MINIMUM, STEP_TIMEOUT_SECONDS_MAXIMUM
    if not lowest <= _finite_number(timeout, key, "timeoutSeconds") <= highest:
        raise WorkflowValidationError(
            f"must be between {lowest} and {highest}, got {timeout!r}", key, "timeoutSeconds"
        )
    step["timeoutSeconds"] = timeout

    for field in ("circuitBreaker", "rateLimit"):
        value = step.get(field)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise WorkflowValidationError("must be a non-empty string or null", key, field)
        step[field] = value
    return step


def validate_concurrency(raw: Any) -> dict[str, Any] | None:
    """A workflow's concurrency limit: its key is a literal or one `${inputs...}`
    reference (a step's output does not exist when the execution is admitted)."""
    if raw is None:
        return None
    key, limit = raw.get("key"), raw.get("limit")
    if not isinstance(key, str) or not key:
        raise WorkflowValidationError("needs a non-empty key", None, "concurrency")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise WorkflowValidationError("needs a limit of at least 1", None, "concurrency")
    try:
        reference = parse_reference(key)
    except InputReferenceError as exc:
        raise WorkflowValidationError(str(exc), None, "concurrency") from None
    if reference is not None and reference.source != "inputs":
        raise WorkflowValidationError(
            "the key may refer to the execution's inputs only (${inputs...})", None, "concurrency"
        )
    return {"key": key, "limit": limit}


def _check_references(template: Any, key: str, allowed: set[str], path: str) -> None:
    if isinstance(template, dict):
        for k, v in template.items():
            _check_references(v, key, allowed, f"{path}.{k}")
    elif isinstance(template, list):
        for i, v in enumerate(template):
            _check_references(v, key, allowed, f"{path}.{i}")
    else:
        try:
            ref = parse_reference(template)
        except InputReferenceError as exc:
            raise WorkflowValidationError(exc.reason, key, path) from exc
        if ref is None or ref.step_key is None:
            return
        if ref.step_key == key:
            raise WorkflowValidationError(f"{ref.text} references the step itself", key, path)
        if ref.step_key not in allowed:
            raise WorkflowValidationError(
                f"{ref.text} references step {ref.step_key!r}, which is not among this step's "
                "dependencies (direct or transitive dependsOn)",
                key,
                path,
            )


def _references_any_step(template: Any) -> bool:
    try:
        return bool(referenced_steps(template))
    except InputReferenceError:
        return True  # malformed; _check_references reports it with its path


def validate_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate ``steps`` and return normalised deep copies with defaults filled.

    Raises :class:`WorkflowValidationError` on the first problem found.
    The input list is not modified.
    """
    if not isinstance(steps, list):
        raise WorkflowValidationError("steps must be a list", None, "steps")
    normalised = [_normalise_step(raw, i) for i, raw in enumerate(steps)]

    seen: set[str] = set()
    for step in normalised:
        if step["key"] in seen:
            raise WorkflowValidationError("duplicate step key", step["key"], "key")
        seen.add(step["key"])

    for step in normalised:
        key = step["key"]
        listed: set[str] = set()
        for dep in step["dependsOn"]:
            if dep == key:
                raise WorkflowValidationError("a step cannot depend on itself", key, "dependsOn")
            if dep not in seen:
                raise WorkflowValidationError(f"unknown step {dep!r}", key, "dependsOn")
            if dep in listed:
                raise WorkflowValidationError(f"{dep!r} is listed twice", key, "dependsOn")
            listed.add(dep)

    cycle = find_cycle(normalised)
    if cycle is not None:
        raise WorkflowValidationError(
            "dependency cycle: " + " -> ".join(cycle), cycle[0], "dependsOn"
        )

    referencing = [s["key"] for s in normalised if _references_any_step(s["inputs"])]
    upstream = ancestors(normalised, only=referencing)
    for step in normalised:
        _check_references(step["inputs"], step["key"], upstream.get(step["key"], set()), "inputs")
    return normalised
