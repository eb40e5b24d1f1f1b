"""Canonical JSON and the hashes built on it.

Canonical JSON here means: object keys sorted, no insignificant whitespace
(separators ``,`` and ``:``), non-ASCII characters kept as UTF-8 rather than
escaped, and no NaN/Infinity (they are not JSON, and PostgreSQL ``jsonb``
rejects them, so accepting them would hash a value the database cannot store).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to canonical JSON bytes (UTF-8).

    Raises ``ValueError`` for NaN/Infinity and ``TypeError`` for values that are
    not JSON-serialisable, so a bad input fails loudly instead of hashing to a
    key that depends on ``repr``.
    """
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (lower case, 64 characters)."""
    return hashlib.sha256(data).hexdigest()


def run_idempotency_key(inputs: Any, config: Any) -> str:
    """``sha256(canonical_json(inputs)) + ":" + sha256(canonical_json(config))``.

    Inputs and config are hashed separately so an operator can tell from two
    keys whether it was the data or the step configuration that changed.
    """
    return f"{sha256_hex(canonical_json(inputs))}:{sha256_hex(canonical_json(config))}"


def execution_content_hash(workflow_id: UUID | str, version: int, inputs: Any) -> str:
    """Content hash used to dedupe ``POST /WorkflowExecution`` without a header.

    The workflow id is normalised through ``UUID`` when possible so that a
    ``UUID`` object and its string (any case) hash the same.
    """
    try:
        wid = str(UUID(str(workflow_id)))
    except ValueError:
        wid = str(workflow_id)
    payload = {"workflowId": wid, "version": int(version), "inputs": inputs}
    return sha256_hex(canonical_json(payload))
