"""Every operation of spec/openapi.yaml resolves to a handler connexion can call.

The handler's name is snake_case(operationId) in the module its tag names:
`custom.api.<module>` first, else the generated stub. A hand-written handler
whose name drifts from its operationId is silently bypassed (the stub answers
instead), so the custom modules are checked the other way round too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import FunctionType
from typing import Any

import pytest
import yaml

import custom.api
from custom.app.resolver import resolve_handler
from generated.operations import OPERATIONS
from templates.generate import ROOT
from templates.model import Operation
from templates.parser import parse

_API = parse(yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text()))
MODULE_OF = {op.operation_id: g.module for g in _API.groups for op in g.operations}


def test_the_generated_operations_are_the_spec_operations() -> None:
    assert sorted(OPERATIONS) == sorted(op.operation_id for op in _API.operations)


@pytest.mark.parametrize("op", _API.operations, ids=lambda op: op.operation_id)
def test_every_spec_operation_resolves_to_a_handler(op: Operation) -> None:
    handler = resolve_handler(op.operation_id)
    module = MODULE_OF[op.operation_id]
    assert inspect.iscoroutinefunction(handler), handler
    assert handler.__name__ == op.func
    assert handler.__module__ in (f"custom.api.{module}", f"generated.routes.{module}")
    # connexion passes path and query parameters by their pythonic names, and the body
    args: dict[str, Any] = {p.py_name: None for p in op.parameters}
    if op.has_body:
        args["body"] = {}
    inspect.signature(handler).bind(**args)
    required = {p.py_name for p in op.parameters if p.required} | (
        {"body"} if op.body_required else set()
    )
    inspect.signature(handler).bind(**{k: v for k, v in args.items() if k in required})


def _custom_handlers() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for info in pkgutil.iter_modules(custom.api.__path__):
        module = importlib.import_module(f"custom.api.{info.name}")
        # type() first: isinstance or inspect would touch connexion's request proxy
        for name, fn in vars(module).items():
            if (
                type(fn) is FunctionType
                and inspect.iscoroutinefunction(fn)
                and fn.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.append((info.name, name))
    return found


def test_every_hand_written_handler_serves_an_operation() -> None:
    served = {(MODULE_OF[op.operation_id], op.func) for op in _API.operations}
    handlers = _custom_handlers()
    assert handlers  # the walk found the modules
    orphans = [f"custom.api.{m}.{f}" for m, f in handlers if (m, f) not in served]
    assert not orphans, (
        f"{orphans}: no operation resolves to these; a handler is named "
        "snake_case(operationId) in the module of the operation's tag"
    )
