"""Read spec/openapi.yaml into the intermediate model (templates/model.py)."""

from __future__ import annotations

import json
from typing import Any

from templates.facts import FactError, read_constants
from templates.model import (
    CRUD_VERBS,
    FILTER_OPS,
    OPERATION_ID,
    PAGING_PARAMS,
    TAG,
    ApiField,
    ApiModel,
    Column,
    Filter,
    Group,
    Index,
    Operation,
    Parameter,
    Resource,
    Table,
    operation_verb,
    snake,
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class SpecError(ValueError):
    """The spec lacks something the generator needs."""


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        target: Any = spec
        for part in parts:
            target = target[part]
        node = target
    return node


def sql_literal(value: Any, kind: str) -> str:
    """A spec `default` as a PostgreSQL column default."""
    if kind == "jsonb":
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        return "'" + text.replace("'", "''") + "'::jsonb"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise SpecError(f"default {value!r} cannot be a column default")


def _column_kind(spec: dict[str, Any], prop: dict[str, Any]) -> str:
    """The storage kind of a property schema (after `$ref`/`allOf` of an enum)."""
    if "allOf" in prop and len(prop["allOf"]) == 1:
        prop = prop["allOf"][0]
    prop = _resolve(spec, prop)
    if "enum" in prop:
        return "enum"
    t = prop.get("type")
    fmt = prop.get("format")
    if t == "string":
        return {"uuid": "uuid", "date-time": "timestamptz"}.get(fmt or "", "text")
    if t == "integer":
        return "bigint" if fmt == "int64" else "integer"
    if t == "number":
        return "double"
    if t == "boolean":
        return "boolean"
    return "jsonb"  # object, array, or any JSON value


def _resource_table(spec: dict[str, Any], name: str, schema: dict[str, Any]) -> Resource:
    columns: list[Column] = []
    fields: list[ApiField] = []
    for api_name, prop in schema.get("properties", {}).items():
        db = prop.get("x-db", {})
        kind = _column_kind(spec, prop)
        read_only = bool(prop.get("readOnly"))
        if db.get("stored", True) is False:
            fields.append(ApiField(api_name, None, kind, read_only))
            continue
        col = snake(api_name)
        required = api_name in schema.get("required", [])
        server_default = db.get("server_default")
        nullable = bool(prop.get("nullable")) or (
            not required and not read_only and "default" not in prop and server_default is None
        )
        if api_name == "id":
            columns.append(
                Column(
                    col,
                    api_name,
                    "uuid",
                    False,
                    primary_key=True,
                    server_default="gen_random_uuid()",
                    read_only=True,
                )
            )
        else:
            if api_name in ("createdAt", "updatedAt"):
                server_default = "now()"
            elif server_default is None and prop.get("default") is not None:
                # an omitted field gets the spec's default (no one fills it in before the
                # INSERT: connexion validates bodies, it does not complete them)
                server_default = sql_literal(prop["default"], kind)
            elif kind == "jsonb" and not nullable and server_default is None:
                server_default = "'{}'::jsonb" if prop.get("type", "object") == "object" else None
            if read_only and not prop.get("nullable") and server_default is None:
                nullable = False
            columns.append(
                Column(
                    col,
                    api_name,
                    kind,
                    nullable,
                    server_default=server_default,
                    foreign_key=db.get("foreign_key"),
                    ondelete=db.get("ondelete"),
                    read_only=read_only,
                    description=prop.get("description"),
                )
            )
        fields.append(ApiField(api_name, col, kind, read_only))
    for extra in schema.get("x-storage-columns", []):
        columns.append(_storage_column(extra))
    if not any(c.primary_key for c in columns):
        raise SpecError(f"{name}: a stored resource needs an `id` property")
    indexes = [
        Index(i["name"], i["columns"], bool(i.get("unique")), i.get("where"))
        for i in schema.get("x-indexes", [])
    ]
    table = Table(
        schema["x-table"],
        f"{name}Row",
        schema.get("description"),
        columns,
        indexes,
        schema.get("x-table-options", {}),
    )
    return Resource(name, snake(name), table, fields)


def _storage_column(c: dict[str, Any]) -> Column:
    return Column(
        c["name"],
        None,
        c["type"],
        bool(c.get("nullable", True)),
        primary_key=bool(c.get("primary_key")),
        server_default=c.get("server_default"),
        foreign_key=c.get("foreign_key"),
        ondelete=c.get("ondelete"),
        index=bool(c.get("index")),
        description=c.get("description"),
    )


def _storage_table(t: dict[str, Any]) -> Table:
    class_name = "".join(part.capitalize() for part in t["name"].split("_")) + "Row"
    return Table(
        t["name"], class_name, t.get("description"), [_storage_column(c) for c in t["columns"]]
    )


def _success_status(op: dict[str, Any]) -> int:
    codes = sorted(int(c) for c in op.get("responses", {}) if c.isdigit() and c.startswith("2"))
    if not codes:
        raise SpecError(f"{op.get('operationId')}: no 2xx response")
    # create answers 201 (a duplicate's 200 is custom behaviour)
    return 201 if 201 in codes else codes[0]


def _parameters(
    spec: dict[str, Any], path_item: dict[str, Any], op: dict[str, Any]
) -> list[Parameter]:
    params: list[Parameter] = []
    for raw in [*path_item.get("parameters", []), *op.get("parameters", [])]:
        p = _resolve(spec, raw)
        if p["in"] not in ("path", "query"):
            continue  # connexion passes no header parameters to handlers
        py_name = snake(p["name"])
        if py_name in ("id", "type", "filter", "format"):
            py_name += "_"
        params.append(
            Parameter(
                p["name"],
                py_name,
                p["in"],
                bool(p.get("required")),
                p.get("schema", {}).get("default"),
                p.get("x-filter"),
            )
        )
    return params


def _filters(op_id: str, resource: Resource, params: list[Parameter]) -> list[Filter]:
    """The list's query parameters (but paging) as filters on stored columns."""
    columns = {c.name: c for c in resource.table.columns}
    stored = {f.api_name: f.column for f in resource.fields}
    found: list[Filter] = []
    for p in params:
        if p.location != "query" or p.name in PAGING_PARAMS:
            continue
        spec = p.filter or {}
        field_name, op = spec.get("field", p.name), spec.get("op", "eq")
        column = stored.get(field_name)
        if column is None:
            raise SpecError(f"{op_id}: filter {p.name} is not a stored field")
        if op not in FILTER_OPS:
            raise SpecError(f"{op_id}: filter {p.name} has op {op!r}; one of {sorted(FILTER_OPS)}")
        kinds = FILTER_OPS[op]
        if kinds is not None and columns[column].kind not in kinds:
            raise SpecError(
                f"{op_id}: filter {p.name} ({op}) needs a column of kind "
                f"{' or '.join(sorted(kinds))}, not {columns[column].kind}"
            )
        found.append(Filter(p.py_name, column, op, columns[column].kind))
    return found


def _identity(method: str, path: str, op: dict[str, Any]) -> tuple[str, str]:
    """(operationId, group): the id names the handler, the first tag its module."""
    where = f"{method.upper()} {path}"
    op_id = op.get("operationId") or ""
    if not OPERATION_ID.fullmatch(op_id):
        raise SpecError(
            f"{where}: operationId {op_id!r} must be a camelCase verb + resource "
            "(e.g. listWorkflows, claimRuns): clients name their functions after it"
        )
    tags = op.get("tags") or []
    if not tags or not TAG.fullmatch(str(tags[0])):
        raise SpecError(
            f"{where} ({op_id}): needs a PascalCase first tag (e.g. Workflow), "
            "which names its resource module"
        )
    return op_id, str(tags[0])


def _check_unique_handlers(operations: list[Operation]) -> None:
    seen: dict[str, Operation] = {}
    for op in operations:
        other = seen.setdefault(op.func, op)
        if other is not op:
            raise SpecError(
                f"{op.method} {op.path} ({op.operation_id}): handler {op.func} is also "
                f"{other.method} {other.path} ({other.operation_id}); operationIds must "
                "differ, in snake_case too"
            )


def parse(spec: dict[str, Any]) -> ApiModel:
    schemas = spec["components"]["schemas"]
    resources = {
        name: _resource_table(spec, name, s) for name, s in schemas.items() if "x-table" in s
    }
    tables = [r.table for r in resources.values()]
    tables += [_storage_table(t) for t in spec.get("x-storage-tables", [])]

    operations: list[Operation] = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            op_id, group = _identity(method, path, op)
            verb = operation_verb(op_id)
            body = op.get("requestBody")
            resource = resources.get(group)
            params = _parameters(spec, item, op)
            if resource and verb == "list" and not op.get("x-custom"):
                # a custom list (x-custom) filters in its own SQL, on any field
                resource.filters.extend(_filters(op_id, resource, params))
            custom = bool(op.get("x-custom")) or resource is None or verb not in CRUD_VERBS
            operations.append(
                Operation(
                    operation_id=op_id,
                    group=group,
                    verb=verb,
                    func=snake(op_id),
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    roles=list(op.get("x-roles", [])),
                    custom=custom,
                    has_body=body is not None,
                    body_required=bool(body and body.get("required")),
                    parameters=params,
                    success_status=_success_status(op),
                    resource=resource,
                )
            )
    _check_unique_handlers(operations)
    groups: dict[str, Group] = {}
    for op in operations:
        g = groups.setdefault(
            op.group, Group(op.group, snake(op.group), [], resources.get(op.group))
        )
        g.operations.append(op)
    try:
        constants = read_constants(spec)
    except FactError as exc:
        raise SpecError(str(exc)) from None
    return ApiModel(
        title=spec["info"]["title"],
        version=spec["info"]["version"],
        base_path=spec.get("servers", [{"url": ""}])[0]["url"],
        tables=tables,
        resources=list(resources.values()),
        groups=sorted(groups.values(), key=lambda g: g.module),
        operations=operations,
        constants=constants,
    )
