"""operationId → handler: custom/api first, then the generated stub.

`createWorkflow` (tag `Workflow`) resolves to `custom.api.workflow.create_workflow`
when that exists, else to `generated.routes.workflow.create_workflow` (generated
CRUD, or a 501 problem for an engine operation that nobody implemented yet). The
generator derives both names (module from the tag, function as snake_case of the
operationId) and records the stub's in `generated.operations`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from connexion.resolver import Resolver

from generated.operations import OPERATIONS


def resolve_handler(operation_id: str) -> Callable[..., Any]:
    info = OPERATIONS[operation_id]
    stub_module, func_name = info.stub.rsplit(".", 1)
    custom_module = "custom.api." + stub_module.rsplit(".", 1)[1]
    try:
        module = importlib.import_module(custom_module)
    except ModuleNotFoundError as exc:
        if exc.name != custom_module:
            raise  # a real import error inside the custom module must not hide
        module = None
    handler = getattr(module, func_name, None) if module else None
    if handler is None:
        handler = getattr(importlib.import_module(stub_module), func_name)
    return handler


class SpecResolver(Resolver):
    def __init__(self) -> None:
        super().__init__(function_resolver=resolve_handler)
