from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    RUNNER = "runner"
    VIEWER = "viewer"

    def __str__(self) -> str:
        return str(self.value)
