"""The module registry: the only way a step's ``module`` name becomes code.

Names map to callables that were installed with the service (built-ins) or
registered by installed packages through the ``valkyr.modules`` entry-point
group. Nothing here imports a dotted path taken from a request or a workflow
definition, so a workflow author cannot make the service run arbitrary code.
A name that is not registered is not an error: its runs wait for an external
runner that claims that name.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from custom.modules.context import ModuleContext

__all__ = [
    "ENTRY_POINT_GROUP",
    "Module",
    "builtin_modules",
    "declared_breaker_key",
    "load_modules",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "valkyr.modules"

Module = Callable[[dict[str, Any], dict[str, Any], ModuleContext], Awaitable[Any]]
"""``await module(inputs, config, ctx)`` returns a JSON-serialisable output.

A module may also say which circuit breaker guards its calls: an attribute
``breaker_key(config) -> str | None`` on the callable (``http`` keys by host), so a
plug-in's steps get breakers as the built-ins do."""


def declared_breaker_key(module: Module | None, config: Mapping[str, Any]) -> str | None:
    """The breaker key `module` declares for a step with `config`, if it declares one."""
    declare = getattr(module, "breaker_key", None)
    if not callable(declare):
        return None
    key = declare(config)
    return key if isinstance(key, str) and key else None


def builtin_modules() -> dict[str, Module]:
    """A fresh name -> callable map of the built-in modules."""
    from custom.modules import fail, http, noop, sleep, transform, wait
    from custom.workflows.waits import WAIT_MODULE

    return {
        "noop": noop.run,
        "sleep": sleep.run,
        "fail": fail.run,
        "http": http.run,
        "transform": transform.run,
        WAIT_MODULE: wait.run,
    }


def load_modules(include_entry_points: bool = True) -> dict[str, Module]:
    """Built-ins merged with modules from the ``valkyr.modules`` entry points.

    A plug-in cannot replace a built-in (that would silently change what
    existing workflows do); an entry point that fails to import, or is not
    callable, is logged and skipped so one broken package cannot stop the
    service. When two packages register the same name the first one wins.
    """
    modules = builtin_modules()
    if not include_entry_points:
        return modules
    try:
        eps = list(entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # pragma: no cover - broken metadata in the environment
        log.exception("could not list entry points of group %s", ENTRY_POINT_GROUP)
        return modules
    for ep in eps:
        if ep.name in modules:
            log.warning(
                "module entry point %r (%s) ignored: the name is already registered",
                ep.name,
                ep.value,
            )
            continue
        try:
            obj = ep.load()
        except Exception:
            log.exception("module entry point %r (%s) failed to load; skipped", ep.name, ep.value)
            continue
        if not callable(obj):
            log.error("module entry point %r (%s) is not callable; skipped", ep.name, ep.value)
            continue
        modules[ep.name] = obj
    return modules
