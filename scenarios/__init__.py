"""Scenarios: replaying ``NAME.test.json`` conversations and calls against a flow, and checking them.

A test harness for flows, not part of the engine: ``spec`` reads the files (docs/golden-scenarios.md),
``driver`` replays them through the engine's public entry points (signed webhooks, the v2 API,
timers), ``checks`` compares what happened with what was expected, ``stubs`` is the loopback HTTP
server shared with the test suite, and ``manage.py flows test`` (this app's command, which extends
studio's ``flows``) runs them.

May import: accounts, studio, executions (models and entry points), twiml, config.
Imported by: nothing of the project (tests and this app's command only); config mounts
``scenarios.urls`` (a flow's saved tests: ``models``, ``recorder``, ``api``).
"""
