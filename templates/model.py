"""The generator's intermediate model: the spec read once into plain dataclasses.

Templates only render this model; every decision about types, names and storage
is made here (the openapi-python-client split), so templates stay free of logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CRUD_VERBS = ("list", "get", "create", "update", "delete")
PAGING_PARAMS = {"limit", "cursor"}
PY_RESERVED = {"list", "id", "type", "filter", "format", "input", "hash", "delete"}


def snake(name: str) -> str:
    """camelCase / PascalCase → snake_case (`workflowId` → `workflow_id`)."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.replace("-", "_").lower()


# verb + resource (`listWorkflows`, `claimRuns`): generated clients name their hooks
# and functions after it, and snake_case of it names the Python handler
OPERATION_ID = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+")
TAG = re.compile(r"[A-Z][A-Za-z0-9]*")


def operation_verb(operation_id: str) -> str:
    """The leading lowercase word of an operationId: `listWorkflows` → `list`."""
    match = re.match(r"[a-z0-9]+", operation_id)
    return match.group(0) if match else ""


@dataclass
class Column:
    name: str  # database column, snake_case
    api_name: str | None  # camelCase field in the API, None for storage-only columns
    kind: str  # uuid | text | integer | bigint | double | boolean | timestamptz | jsonb | bytea
    nullable: bool
    primary_key: bool = False
    server_default: str | None = None
    foreign_key: str | None = None
    ondelete: str | None = None
    index: bool = False
    read_only: bool = False
    description: str | None = None

    @property
    def sa_type(self) -> str:
        return SA_TYPES[self.kind]

    @property
    def py_type(self) -> str:
        base = PY_TYPES[self.kind]
        return f"{base} | None" if self.nullable and base != "Any" else base


SA_TYPES = {
    "uuid": "sa.Uuid()",
    "text": "sa.Text()",
    "integer": "sa.Integer()",
    "bigint": "sa.BigInteger()",
    "double": "sa.Double()",
    "boolean": "sa.Boolean()",
    "timestamptz": "sa.DateTime(timezone=True)",
    "jsonb": "JSONB()",
    "bytea": "sa.LargeBinary()",
    "enum": "sa.String(32)",
}
PY_TYPES = {
    "uuid": "uuid.UUID",
    "text": "str",
    "integer": "int",
    "bigint": "int",
    "double": "float",
    "boolean": "bool",
    "timestamptz": "datetime.datetime",
    "jsonb": "Any",
    "bytea": "bytes",
    "enum": "str",
}


@dataclass
class Index:
    name: str
    columns: list[str]
    unique: bool = False
    where: str | None = None


@dataclass
class Table:
    name: str  # table name
    class_name: str  # SQLModel class
    description: str | None
    columns: list[Column]
    indexes: list[Index] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def primary_key(self) -> list[Column]:
        return [c for c in self.columns if c.primary_key]


@dataclass
class ApiField:
    api_name: str
    column: str | None  # None when not stored (computed by custom code)
    kind: str
    read_only: bool


# how a list's query parameter compares with its column (`x-filter: {field, op}`):
# eq (the default) any column; gte / lt an ordered one; prefix a uuid, as a range
# of ids so the primary key serves it
FILTER_OPS = {
    "eq": None,
    "gte": {"timestamptz", "integer", "bigint", "double"},
    "lt": {"timestamptz", "integer", "bigint", "double"},
    "prefix": {"uuid"},
}


@dataclass
class Filter:
    param: str  # as connexion passes it (pythonic_params)
    column: str
    op: str  # a key of FILTER_OPS
    kind: str = "text"  # the column's kind: how a query string becomes its value


@dataclass
class Resource:
    """A schema with `x-table`: a stored API resource."""

    name: str  # schema name, e.g. WorkflowExecution
    module: str  # snake name, e.g. workflow_execution
    table: Table
    fields: list[ApiField]
    filters: list[Filter] = field(default_factory=list)

    @property
    def writable(self) -> list[ApiField]:
        return [f for f in self.fields if not f.read_only and f.column]

    @property
    def stored(self) -> list[ApiField]:
        return [f for f in self.fields if f.column]

    @property
    def computed(self) -> list[ApiField]:
        """Fields of the API that no column stores (custom code fills them in)."""
        return [f for f in self.fields if not f.column]


@dataclass
class Parameter:
    name: str  # as in the spec
    py_name: str  # as connexion passes it (pythonic_params)
    location: str
    required: bool
    default: Any = None
    filter: dict[str, str] | None = None  # x-filter: {field, op}


@dataclass
class Operation:
    operation_id: str  # camelCase verb + resource, e.g. listWorkflows
    group: str  # its tag, which names the resource module
    verb: str  # the operationId's first word; list/get/create/update/delete may be CRUD
    func: str  # handler function name: snake_case of the operationId
    method: str
    path: str
    summary: str
    roles: list[str]
    custom: bool  # x-custom: the engine owns it; the stub answers 501
    has_body: bool
    body_required: bool
    parameters: list[Parameter]
    success_status: int
    resource: Resource | None = None

    @property
    def crud(self) -> bool:
        return not self.custom and self.resource is not None and self.verb in CRUD_VERBS

    @property
    def signature(self) -> str:
        args: list[str] = []
        required = [p for p in self.parameters if p.required]
        optional = [p for p in self.parameters if not p.required]
        args += [p.py_name for p in required]
        if self.has_body:
            args.append("body" if self.body_required else "body=None")
        args += [f"{p.py_name}={p.default!r}" for p in optional]
        return ", ".join(args)


@dataclass
class Group:
    name: str
    module: str
    operations: list[Operation]
    resource: Resource | None


@dataclass
class EnumMember:
    name: str  # a Python identifier: the value upper-cased (`PENDING`, `VIEWER`)
    value: str


@dataclass
class EnumConstant:
    """A named string enum of the spec's schemas (`ExecutionStatus`)."""

    name: str
    members: list[EnumMember]
    description: str | None = None


@dataclass
class Constant:
    """One fact of the spec as a Python constant: `STEP_KEY_PATTERN: Final[str] = "^…$"`."""

    name: str
    annotation: str  # the type under Final
    literal: str  # Python source of the value
    source: str  # where in the spec it comes from


@dataclass
class Constants:
    """What `generated/constants.py` exports (templates/facts.py reads it from the spec)."""

    enums: list[EnumConstant] = field(default_factory=list)
    values: list[Constant] = field(default_factory=list)


@dataclass
class ApiModel:
    title: str
    version: str
    base_path: str
    tables: list[Table]
    resources: list[Resource]
    groups: list[Group]
    operations: list[Operation]
    constants: Constants = field(default_factory=Constants)
