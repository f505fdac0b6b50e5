"""Legacy widgets: accepted on import, shown on the canvas, not run (each reports its Studio error code)."""
