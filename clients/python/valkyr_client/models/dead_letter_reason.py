from enum import StrEnum


class DeadLetterReason(StrEnum):
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    LEASE_EXPIRED = "lease_expired"
    PERMANENT_ERROR = "permanent_error"
    SIGNAL_TIMEOUT = "signal_timeout"

    def __str__(self) -> str:
        return str(self.value)
