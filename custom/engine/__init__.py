"""The engine as one process runs it: its services assembled and started together."""
