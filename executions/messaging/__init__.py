"""Messaging: providers that accept and dispatch messages, and the Messages API. May import the engine."""
