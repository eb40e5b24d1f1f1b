"""Leases with fencing tokens: claim, heartbeat, and fenced complete/fail.

A runner holds one lease row (`runner_leases`); every run it claims points at
it (`lease_owner`) and carries a fencing token. Heartbeats extend the runner's
row, one statement per runner whatever the number of its runs. Only the current
holder of a run (owner + token, lease alive) may finish it.
"""
