from enum import StrEnum


class DeadLetterReason(StrEnum):
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    LEASE_EXPIRED = "lease_expired"
    PERMANENT_ERROR = "permanent_error"

    def __str__(self) -> str:
        return str(self.value)
