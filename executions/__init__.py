"""Executions: running flows. Laid out by role (see ENGINE.md beside this file):

- ``inbound``: webhook entry points (fast path, Django views), recording, draining, batches;
- ``voice``: call turns, call placement, simulated calls, the Calls API;
- ``messaging``: providers, dispatch, the Messages API;
- ``live``: step events to the live monitor, its WebSocket;
- ``api``: the Studio v2 Executions API and the console simulator endpoints;
- ``engine``: the runner, the store, ``Services`` for widgets, Liquid, timers; it imports none of
  the above: what it needs from them is handed in as ``engine.ports`` by ``wiring``;
- ``backends``: the guarded HTTP client.

May import: ``accounts``, ``studio``, ``twiml``, ``config.celery``.
"""
