"""Studio: flows and their numbered revisions, the widget library (``widgets``), definition
validation, diffs, the Studio v2 Flows API and the console API the canvas uses, import/export.

May import: ``accounts``, ``twiml``. Never ``executions``: widgets reach the engine through
``studio.widgets.runtime.Services`` only (import contracts in pyproject.toml).
"""
