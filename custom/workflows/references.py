"""Step input references.

A step's ``inputs`` template may contain strings that are *exactly* a
reference: ``${inputs.a.b}`` (the execution's inputs) or
``${steps.<key>.output.a.b}`` (an earlier step's output). They are replaced by
the referenced JSON value with its type kept, so a number stays a number. Only
whole-string references are substituted: string interpolation would silently
turn objects into text and make values ambiguous, so a string that merely
contains ``${`` is data and is left alone.

A path that does not exist raises :class:`InputReferenceError` rather than
producing ``null``: a missing value is an input error (the run goes to the
dead-letter queue as permanent) and must not be confused with an explicit
``null``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "InputReferenceError",
    "Reference",
    "parse_reference",
    "referenced_steps",
    "resolve_inputs",
]

# A step key / path segment: anything except '.', '{', '}' and whitespace.
_SEGMENT = r"[^.{}\s]+"
_REFERENCE_RE = re.compile(rf"^\$\{{({_SEGMENT}(?:\.{_SEGMENT})*)\}}$")


class InputReferenceError(ValueError):
    """A reference could not be resolved (unknown root, missing key, bad index)."""

    def __init__(self, reference: str, reason: str) -> None:
        super().__init__(f"cannot resolve {reference!r}: {reason}")
        self.reference = reference
        self.reason = reason


class Reference:
    """A parsed reference: ``source`` is ``"inputs"`` or ``"steps"``.

    For ``steps`` references ``step_key`` is set and ``path`` is relative to
    that step's output; for ``inputs`` references ``path`` is relative to the
    execution inputs.
    """

    __slots__ = ("path", "source", "step_key", "text")

    def __init__(self, text: str, source: str, step_key: str | None, path: tuple[str, ...]):
        self.text = text
        self.source = source
        self.step_key = step_key
        self.path = path

    def __repr__(self) -> str:
        return f"Reference({self.text!r})"


def parse_reference(value: Any) -> Reference | None:
    """Parse ``value`` if it is a whole-string reference, else return ``None``.

    Only the roots ``inputs`` and ``steps`` are references; any other
    ``${...}`` string is literal data. A ``steps`` reference that does not have
    the form ``${steps.<key>.output...}`` (``${steps.x}``, ``${steps.x.result}``)
    raises :class:`InputReferenceError`, so that typo is reported at
    validation time instead of being passed on as literal text.
    """
    if not isinstance(value, str):
        return None
    match = _REFERENCE_RE.match(value)
    if match is None:
        return None
    parts = match.group(1).split(".")
    root = parts[0]
    if root == "inputs":
        return Reference(value, "inputs", None, tuple(parts[1:]))
    if root == "steps":
        if len(parts) < 3 or parts[2] != "output":
            raise InputReferenceError(
                value, "step references have the form ${steps.<key>.output[.path]}"
            )
        return Reference(value, "steps", parts[1], tuple(parts[3:]))
    return None


def _walk(reference: str, value: Any, path: tuple[str, ...]) -> Any:
    for depth, segment in enumerate(path):
        where = ".".join(path[: depth + 1])
        if isinstance(value, dict):
            if segment not in value:
                raise InputReferenceError(reference, f"no key {segment!r} at {where!r}")
            value = value[segment]
        elif isinstance(value, list):
            if not segment.isdigit():
                raise InputReferenceError(
                    reference, f"{segment!r} at {where!r} is not a list index"
                )
            index = int(segment)
            if index >= len(value):
                raise InputReferenceError(
                    reference, f"index {index} out of range at {where!r} (length {len(value)})"
                )
            value = value[index]
        else:
            raise InputReferenceError(
                reference, f"cannot look up {segment!r} in a {type(value).__name__} at {where!r}"
            )
    return value


def resolve_inputs(
    template: Any, execution_inputs: dict[str, Any], step_outputs: dict[str, Any]
) -> Any:
    """Return a copy of ``template`` with every whole-string reference resolved.

    Dicts and lists are walked recursively (and copied, so the stored template
    is never mutated); any other value is returned as is.
    """
    if isinstance(template, dict):
        return {k: resolve_inputs(v, execution_inputs, step_outputs) for k, v in template.items()}
    if isinstance(template, list):
        return [resolve_inputs(v, execution_inputs, step_outputs) for v in template]
    ref = parse_reference(template)
    if ref is None:
        return template
    if ref.source == "inputs":
        return _walk(ref.text, execution_inputs, ref.path)
    assert ref.step_key is not None
    if ref.step_key not in step_outputs:
        raise InputReferenceError(ref.text, f"step {ref.step_key!r} has no output")
    return _walk(ref.text, step_outputs[ref.step_key], ref.path)


def referenced_steps(template: Any) -> set[str]:
    """Step keys referenced anywhere in ``template`` (for DAG validation)."""
    found: set[str] = set()
    _collect(template, found)
    return found


def _collect(template: Any, found: set[str]) -> None:
    if isinstance(template, dict):
        for v in template.values():
            _collect(v, found)
    elif isinstance(template, list):
        for v in template:
            _collect(v, found)
    else:
        ref = parse_reference(template)
        if ref is not None and ref.step_key is not None:
            found.add(ref.step_key)
