"""Messaging widgets: send a message, send and wait for the reply."""
