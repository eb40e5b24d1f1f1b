"""The dead-letter queue: runs that failed for good, parked for a person to resolve."""
