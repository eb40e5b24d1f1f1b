"""Observability: traces, Prometheus metrics and structured logs."""
