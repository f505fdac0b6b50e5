"""Backends the engine calls: the one guarded HTTP client. Imports no other part of executions."""
