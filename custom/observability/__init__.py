"""Observability (DESIGN §12): traces, Prometheus metrics and structured logs."""
