"""What the engine's functions share inside one engine, and never between two.

An Engine (custom/engine/services.py) makes one EngineContext and hands it down:
submits, run outcomes, the runner pool, the reaper and the API handlers of its
process use the same module registry, cache of workflow definitions, wake-ups,
metrics and clock. A caller with no engine (a CLI command, a test calling an
engine function directly) gets `standalone_context()`: fresh instances, shared
with nobody, with every NOTIFY sent in its own statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from custom.clock import Clock, SystemClock
from custom.executions.definitions import Definitions
from custom.executions.wakeups import Wakeups
from custom.modules.registry import Module, builtin_modules
from custom.observability.metrics import EngineMetrics


@dataclass
class EngineContext:
    modules: Mapping[str, Module] = field(default_factory=builtin_modules)
    definitions: Definitions = field(default_factory=Definitions)
    clock: Clock = field(default_factory=SystemClock)
    metrics: EngineMetrics = field(default_factory=EngineMetrics)
    wakeups: Wakeups = field(default_factory=Wakeups)


def standalone_context() -> EngineContext:
    return EngineContext()
