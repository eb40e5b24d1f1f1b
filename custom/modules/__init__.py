"""Execution modules: async callables run by runners for steps."""

from custom.modules.context import ModuleContext
from custom.modules.errors import ModuleError, PermanentError, TransientError
from custom.modules.registry import Module, builtin_modules, load_modules

__all__ = [
    "Module",
    "ModuleContext",
    "ModuleError",
    "PermanentError",
    "TransientError",
    "builtin_modules",
    "load_modules",
]
