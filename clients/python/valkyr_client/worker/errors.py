"""What a handler raises to say how its step failed."""

from __future__ import annotations


class TransientError(Exception):
    """Worth another attempt (retried with the step's backoff until maxAttempts).
    Any exception that is not a PermanentError counts as transient."""


class PermanentError(Exception):
    """Another attempt would fail the same way: the run goes straight to the dead-letter
    queue. A handler output that is not JSON is one too."""
