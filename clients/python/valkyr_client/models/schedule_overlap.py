from enum import StrEnum


class ScheduleOverlap(StrEnum):
    ALLOW = "ALLOW"
    SKIP = "SKIP"

    def __str__(self) -> str:
        return str(self.value)
