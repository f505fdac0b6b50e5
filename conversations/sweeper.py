"""Embedded mode (no beat): conversations' inactive/closed timers swept on a daemon thread."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from conversations.services import sweep_timers

log = logging.getLogger(__name__)
_thread: threading.Thread | None = None


def _loop(interval: float) -> None:
    while True:
        try:
            sweep_timers()
        except Exception:  # noqa: BLE001 - the sweeper thread must survive a bad row
            log.exception("conversations sweeper iteration failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_in_process(interval: float = 5.0) -> threading.Thread:
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    _thread = threading.Thread(target=_loop, args=(interval,), name="conversations-sweeper", daemon=True)
    _thread.start()
    return _thread
