"""``transform``: build an output object from the step's inputs by reference.

``config.output`` is a template in the step-input reference syntax, resolved
against the step's own (already resolved) inputs: ``${inputs.x}`` here means
this step's ``inputs.x``. It reshapes data between steps without code. A
reference that does not resolve is a permanent error: retrying cannot make a
missing field appear.
"""

from __future__ import annotations

from typing import Any

from custom.modules.context import ModuleContext
from custom.modules.errors import PermanentError
from custom.workflows.references import InputReferenceError, resolve_inputs


async def run(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
    """Return ``config.output`` resolved against ``{"inputs": inputs}``, or the inputs."""
    if "output" not in config:
        return inputs
    try:
        return resolve_inputs(config["output"], inputs, {})
    except InputReferenceError as exc:
        raise PermanentError(
            f"transform: {exc}", details={"reference": exc.reference, "reason": exc.reason}
        ) from exc
