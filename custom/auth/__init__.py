"""API keys and roles (DESIGN §11): who may call which operation."""
