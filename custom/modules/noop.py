"""``noop``: echo the inputs (wiring tests, placeholders, fan-in points)."""

from __future__ import annotations

from typing import Any

from custom.modules.context import ModuleContext


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    """Return the step's resolved inputs unchanged."""
    return inputs
