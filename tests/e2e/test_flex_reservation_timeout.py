"""A reservation nobody answers, in Chromium: the task is offered to Alice, her reservation times
out after the workflow's task_reservation_timeout, the task moves to Bob (a second console user,
in a second browser context) whose console shows the offer; Alice's console no longer shows it and
she is in the workspace's timeout activity."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from flex.models import Reservation, Timer, Worker, Workspace
from flex.sweeper import sweep
from tests.e2e.conftest import shot
from tests.flex.helpers import activity, reservations, task, worker, workflow, workspace

pytestmark = pytest.mark.e2e
TIMEOUT = 3  # seconds: the workflow's task_reservation_timeout


def log_in(page: Any, base: str, username: str, password: str) -> None:
    page.set_default_timeout(12_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def console_user(account: Any, username: str, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user(username=username, password=f"{username}-password")
    Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
    return user


def sweep_when_due(reservation: Reservation) -> None:
    """The sweeper (beat, every second, in production) fires the timer once its time has come;
    here the test sweeps itself, right after that time, so nothing depends on a background loop."""
    timer = Timer.objects.get(reservation=reservation, kind=Timer.Kind.RESERVATION)
    assert abs((timer.fire_at - reservation.date_created).total_seconds() - TIMEOUT) < 1
    if timezone.now() < timer.fire_at - dt.timedelta(seconds=0.5):  # (a loaded machine may be late)
        sweep()  # not yet due: the offer stands
        assert Reservation.objects.get(pk=reservation.pk).reservation_status == "pending"
    time.sleep(max(0.0, (timer.fire_at - timezone.now()).total_seconds()) + 0.1)
    assert sweep() >= 1


def showing(page: Any, activity_name: str) -> None:
    page.wait_for_function(
        "(name) => document.getElementById('activity')?.textContent === name", arg=activity_name
    )


def test_an_unanswered_offer_times_out_and_moves_to_the_other_agent(
    app: Any, browser: Any, django_user_model: Any
) -> None:
    ws = workspace(app.account)
    Workspace.objects.filter(pk=ws.pk).update(timeout_activity=activity(ws, "Break"))
    alice = worker(ws, "Alice", contact_uri="client:alice")  # idle longest: offered first
    bob = worker(ws, "Bob", contact_uri="client:bob")
    console_user(app.account, "bob", django_user_model)
    routing = workflow(ws, {"filters": [], "default_filter": {"queue": ws.task_queues.get().sid}})
    routing.task_reservation_timeout = TIMEOUT
    routing.save(update_fields=["task_reservation_timeout"])

    app.goto(f"{app.base}/flex/agent")
    showing(app, "Available")
    bobs_context = browser.new_context(viewport={"width": 1500, "height": 950})
    bobs = bobs_context.new_page()
    log_in(bobs, app.base, "bob", "bob-password")
    bobs.goto(f"{app.base}/flex/agent")
    showing(bobs, "Available")

    row = task(ws, routing, channel="sms", name="+15551230000", body="Where is my parcel?")
    offered = Reservation.objects.get(task=row)
    assert offered.worker_id == alice.pk
    alices_offer = app.locator(f"[data-reservation={offered.sid}]")
    alices_offer.wait_for()
    assert "Where is my parcel?" in alices_offer.inner_text()
    assert bobs.get_by_text("No task for you right now.").is_visible()

    sweep_when_due(offered)

    assert reservations(row) == [("Alice", "timeout"), ("Bob", "pending")]
    moved = Reservation.objects.get(task=row, worker=bob)
    bobs_offer = bobs.locator(f"[data-reservation={moved.sid}]")
    bobs_offer.wait_for()
    assert "Where is my parcel?" in bobs_offer.inner_text()
    assert "pending" in bobs_offer.inner_text()
    shot(bobs, "flex-offer-moved-to-bob")

    showing(app, "Break")  # the workspace's timeout activity
    app.get_by_text("No task for you right now.").wait_for()
    assert app.locator("[data-reservation]").count() == 0
    assert Worker.objects.get(pk=alice.pk).activity.friendly_name == "Break"
    shot(app, "flex-offer-timed-out-alice")
    bobs_context.close()
