"""API keys and roles: who may call which operation."""
