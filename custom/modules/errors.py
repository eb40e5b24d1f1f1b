"""Errors a module raises to tell the runner how to treat a failure.

The distinction drives the run state machine: a transient error is retried
with backoff until ``maxAttempts``; a permanent one sends the run straight to
the dead-letter queue, because retrying it would only repeat the failure (and
any side effects). ``error_type`` is the stable string stored in the run's
``error.type``. Any other exception escaping a module is treated as transient
by the runner (unknown failures get the benefit of the doubt, bounded by
``maxAttempts``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ModuleError", "PermanentError", "TransientError"]


class ModuleError(Exception):
    """Base class; ``retryable`` says whether the runner may try again."""

    error_type: str = "module_error"
    retryable: bool = True

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored as the run's ``error``."""
        error: dict[str, Any] = {"message": self.message, "type": self.error_type}
        if self.details:
            error["details"] = self.details
        return error


class TransientError(ModuleError):
    """A failure worth retrying (timeouts, 5xx, connection errors, throttling)."""

    error_type = "transient"
    retryable = True


class PermanentError(ModuleError):
    """A failure that retrying cannot fix (bad input, 4xx, invalid config)."""

    error_type = "permanent"
    retryable = False
