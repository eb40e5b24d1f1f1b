from enum import StrEnum


class DeadLetterAuditRecordAction(StrEnum):
    DISCARDED = "DISCARDED"
    REQUEUED = "REQUEUED"

    def __str__(self) -> str:
        return str(self.value)
