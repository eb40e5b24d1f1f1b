"""Lease tokens of REST runners: a fencing number bound to a random secret.

The fencing number (`runs.lease_token`, from a sequence) orders leases; it is
guessable, so it proves nothing. A REST claim also draws 128 random bits per
run; the runner gets `<fencing number>.<secret hex>` and the run keeps only
sha256(secret). Every heartbeat, completion and failure compares the hash in its
one statement: a SHA-256 preimage cannot be learnt from how long the comparison
of two digests takes. The service's own runners hold no secret (they are trusted
code and never receive a token over the wire).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

SECRET_BYTES = 16
_TOKEN = re.compile(r"^([0-9]{1,19})\.([0-9a-f]{32})$")
MAX_FENCE = 2**63 - 1  # bigint


@dataclass(frozen=True)
class LeaseProof:
    """What a REST runner's token says: the fencing number and the secret's hash."""

    fence: int
    secret_hash: bytes


def new_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def format_token(fence: int, secret: str) -> str:
    return f"{fence}.{secret}"


def parse_token(token: str) -> LeaseProof:
    """The proof a token carries. A token this service never issued gives a proof
    that matches no run (fence -1), so it fails where a stale one does (409)."""
    match = _TOKEN.match(token)
    if match is None or int(match.group(1)) > MAX_FENCE:
        return LeaseProof(-1, secret_hash(token))
    return LeaseProof(int(match.group(1)), secret_hash(match.group(2)))
