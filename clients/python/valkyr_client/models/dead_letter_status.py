from enum import StrEnum


class DeadLetterStatus(StrEnum):
    DISCARDED = "DISCARDED"
    QUARANTINED = "QUARANTINED"
    REQUEUED = "REQUEUED"

    def __str__(self) -> str:
        return str(self.value)
