"""`python -m valkyr_client`: the operator commands (executions, dlq) of `valkyr`."""

from .cli import main

main()
