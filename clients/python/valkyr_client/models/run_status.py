from enum import StrEnum


class RunStatus(StrEnum):
    CANCELLED = "CANCELLED"
    DEAD_LETTERED = "DEAD_LETTERED"
    FAILED = "FAILED"
    LEASED = "LEASED"
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    WAITING = "WAITING"

    def __str__(self) -> str:
        return str(self.value)
