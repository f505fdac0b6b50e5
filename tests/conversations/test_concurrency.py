"""Messages written at once into one conversation get distinct, gapless indexes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from conversations import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_racing_writers_get_indexes_0_to_n(alice: Any) -> None:
    conv = services.create_conversation(alice)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                services.add_message(conv, author=f"writer-{n}", body=f"{n}.{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert [m.index for m in services.messages_since(conv, limit=100)] == list(range(30))
