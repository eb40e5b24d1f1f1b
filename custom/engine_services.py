"""Registers the engine's background services (runner pool, reaper) with the app."""
