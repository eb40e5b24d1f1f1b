"""Read the facts the engine shares with its SQL and its clients out of the spec.

- every named string enum of `components.schemas` (`ExecutionStatus`, `Role`);
- `x-constant: NAME` on a property: its default, minimum, maximum, minLength,
  maxLength and pattern as `NAME_DEFAULT`, `NAME_MINIMUM`, … `NAME_PATTERN`;
- `x-constant: NAME` on an object schema: its properties' defaults, minimums and
  maximums as the mappings `NAME_DEFAULTS`, `NAME_MINIMUMS`, `NAME_MAXIMUMS`;
- the root `x-engine` (facts of no schema, such as the NOTIFY channel): each key
  as its SCREAMING_SNAKE name (`notifyChannel` → `NOTIFY_CHANNEL`).

Every value is decided here, as Python source; constants.py.jinja only lists them.
"""

from __future__ import annotations

import re
from typing import Any

from templates.model import Constant, Constants, EnumConstant, EnumMember, snake

# property keyword → (suffix of the constant's name, annotation or None: from the schema type)
PROPERTY_FACTS = {
    "default": ("DEFAULT", None),
    "minimum": ("MINIMUM", None),
    "maximum": ("MAXIMUM", None),
    "minLength": ("MIN_LENGTH", "int"),
    "maxLength": ("MAX_LENGTH", "int"),
    "pattern": ("PATTERN", "str"),
}
SCHEMA_FACTS = {"default": "DEFAULTS", "minimum": "MINIMUMS", "maximum": "MAXIMUMS"}
SCALAR_TYPES = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}
CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


class FactError(ValueError):
    """A fact of the spec cannot become a constant (templates.parser raises it as SpecError)."""


def _member_name(value: str) -> str:
    name = re.sub(r"\W", "_", value).upper()
    return "_" + name if name[:1].isdigit() else name


def _enum(name: str, schema: dict[str, Any]) -> EnumConstant:
    values = [str(v) for v in schema["enum"]]
    members = [EnumMember(_member_name(v), v) for v in values]
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise FactError(f"{name}: enum values {values} do not give distinct member names")
    return EnumConstant(name, members, schema.get("description"))


def _literal(value: Any) -> str:
    """Python source for a JSON value of the spec (ruff formats it afterwards)."""
    if isinstance(value, dict):
        items = ", ".join(f"{_literal(str(k))}: {_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "(" + "".join(f"{_literal(v)}, " for v in value) + ")"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise FactError(f"{value!r} cannot be a constant")


def _scalar_annotation(value: Any, schema_type: str | None) -> str:
    if schema_type in SCALAR_TYPES:
        return SCALAR_TYPES[schema_type]
    for python_type in (bool, int, float, str):
        if isinstance(value, python_type):
            return python_type.__name__
    raise FactError(f"{value!r} is not a scalar")


class _Collector:
    """Constants in the order met; a name met twice must carry the same value."""

    def __init__(self) -> None:
        self.by_name: dict[str, Constant] = {}

    def add(self, name: str, annotation: str, literal: str, source: str) -> None:
        if not CONSTANT_NAME.fullmatch(name):
            raise FactError(f"{source}: {name!r} is not a SCREAMING_SNAKE constant name")
        known = self.by_name.get(name)
        if known is None:
            self.by_name[name] = Constant(name, annotation, literal, source)
        elif (known.annotation, known.literal) != (annotation, literal):
            raise FactError(
                f"{source}: {name} = {literal} disagrees with {known.source} ({known.literal})"
            )


def _property_facts(out: _Collector, name: str, prop: dict[str, Any], source: str) -> None:
    for keyword, (suffix, annotation) in PROPERTY_FACTS.items():
        if keyword in prop:
            value = prop[keyword]
            kind = annotation or _scalar_annotation(value, prop.get("type"))
            out.add(f"{name}_{suffix}", kind, _literal(value), f"{source} {keyword}")


def _schema_facts(out: _Collector, name: str, schema: dict[str, Any], source: str) -> None:
    properties = schema.get("properties", {})
    for keyword, suffix in SCHEMA_FACTS.items():
        found = {p: s[keyword] for p, s in properties.items() if keyword in s}
        if found:
            literal = f"MappingProxyType({_literal(found)})"
            out.add(f"{name}_{suffix}", "Mapping[str, Any]", literal, f"{source} {keyword}s")


def _walk(out: _Collector, node: Any, source: str) -> None:
    """Every `x-constant` below `node` (schemas, their properties, nested items)."""
    if isinstance(node, dict):
        name = node.get("x-constant")
        if name is not None:
            if "properties" in node:
                _schema_facts(out, str(name), node, source)
            else:
                _property_facts(out, str(name), node, source)
        for key, child in node.items():
            _walk(out, child, f"{source}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            _walk(out, child, f"{source}/{i}")


def read_constants(spec: dict[str, Any]) -> Constants:
    schemas = spec.get("components", {}).get("schemas", {})
    enums = [
        _enum(name, s) for name, s in schemas.items() if s.get("type") == "string" and "enum" in s
    ]
    out = _Collector()
    for key, value in (spec.get("x-engine") or {}).items():
        annotation = _scalar_annotation(value, None)
        out.add(snake(key).upper(), annotation, _literal(value), f"#/x-engine/{key}")
    _walk(out, spec.get("components", {}), "#/components")
    return Constants(enums, list(out.by_name.values()))
