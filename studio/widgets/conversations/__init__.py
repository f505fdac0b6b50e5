"""Conversations widgets: start or resume a conversation (REST-triggered executions)."""
