"""Idempotency hashing.

Run idempotency keys and execution content hashes must be identical for equal
JSON values no matter how a client ordered its object keys or spaced its
document, and must be stable across processes and Python versions, because
they are compared in unique indexes and handed to downstream systems.
"""

from custom.idempotency.hashing import (
    canonical_json,
    execution_content_hash,
    run_idempotency_key,
    sha256_hex,
)

__all__ = [
    "canonical_json",
    "execution_content_hash",
    "run_idempotency_key",
    "sha256_hex",
]
