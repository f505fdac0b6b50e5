"""The engine: runs the widgets of a flow (runner) and keeps executions in the database (store, writes)."""
