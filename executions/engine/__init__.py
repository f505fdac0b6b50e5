"""The engine: runs a flow's widgets (``runner``) and keeps executions in the database (``store``,
``writes``); ``services`` is what widgets may ask of it; ``ports`` is what it needs from above.

May import: ``executions.models``, ``executions.backends``, ``studio``, ``accounts``, ``twiml``. Never the
entry points, APIs, live monitor, messaging or voice (import contracts in pyproject.toml).
"""
