"""TaskRouter's resources, one table each, with Twilio's SID prefixes and enums.

Timers (reservation timeout, routing-step timeout, task TTL) are rows of ``Timer`` swept by
beat (flex/sweeper.py), so a restart loses none of them.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


def _ws_sid() -> str:
    return new_sid("WS")


def _wa_sid() -> str:
    return new_sid("WA")


def _tc_sid() -> str:
    return new_sid("TC")


def _wq_sid() -> str:
    return new_sid("WQ")


def _ww_sid() -> str:
    return new_sid("WW")


def _wk_sid() -> str:
    return new_sid("WK")


def _wc_sid() -> str:
    return new_sid("WC")


def _wt_sid() -> str:
    return new_sid("WT")


def _wr_sid() -> str:
    return new_sid("WR")


def _ev_sid() -> str:
    return new_sid("EV")


class Order(models.TextChoices):
    FIFO = "FIFO"
    LIFO = "LIFO"


class Workspace(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_ws_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="workspaces")
    friendly_name = models.CharField(max_length=64)
    event_callback_url = models.URLField(max_length=1024, blank=True, default="")
    events_filter = models.TextField(blank=True, default="")
    multi_task_enabled = models.BooleanField(default=True)
    prioritize_queue_order = models.CharField(max_length=4, choices=Order.choices, default=Order.FIFO)
    default_activity = models.ForeignKey(
        "Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    timeout_activity = models.ForeignKey(
        "Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)


class Activity(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_wa_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="activities")
    friendly_name = models.CharField(max_length=64)
    available = models.BooleanField(default=False)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)


class TaskChannel(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_tc_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="task_channels")
    unique_name = models.CharField(max_length=64)
    friendly_name = models.CharField(max_length=64)
    channel_optimized_routing = models.BooleanField(null=True, default=None)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "unique_name"], name="flex_channel_unique_name")
        ]


class TaskQueue(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_wq_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="task_queues")
    friendly_name = models.CharField(max_length=64)
    target_workers = models.TextField(default="1==1")
    max_reserved_workers = models.PositiveIntegerField(default=1)
    task_order = models.CharField(max_length=4, choices=Order.choices, default=Order.FIFO)
    reservation_activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignment_activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)


class Workflow(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_ww_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workflows")
    friendly_name = models.CharField(max_length=64)
    configuration = models.TextField()
    assignment_callback_url = models.URLField(max_length=1024, blank=True, default="")
    fallback_assignment_callback_url = models.URLField(max_length=1024, blank=True, default="")
    task_reservation_timeout = models.PositiveIntegerField(default=120)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    def config(self) -> dict[str, Any]:
        value = json.loads(self.configuration or "{}")
        return value if isinstance(value, dict) else {}


class Worker(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_wk_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workers")
    friendly_name = models.CharField(max_length=64)
    attributes = models.TextField(default="{}")
    activity = models.ForeignKey(Activity, on_delete=models.RESTRICT, related_name="workers")
    # Copied from the activity so candidate queries need no join; kept in step by flex.state.
    available = models.BooleanField(default=False)
    date_status_changed = models.DateTimeField(null=True, blank=True)
    # Longest idle first: the oldest ``idle_since`` among candidates gets the reservation.
    idle_since = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)  # the ETag of If-Match
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "available", "idle_since"], name="flex_worker_idle")]

    def attrs(self) -> dict[str, Any]:
        value = json.loads(self.attributes or "{}")
        return value if isinstance(value, dict) else {}


class WorkerChannel(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_wc_sid, editable=False)
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="channels")
    task_channel = models.ForeignKey(TaskChannel, on_delete=models.CASCADE, related_name="+")
    configured_capacity = models.PositiveIntegerField(default=1)
    available = models.BooleanField(default=True)
    assigned_tasks = models.PositiveIntegerField(default=0)  # reserved + assigned + wrapping
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "task_channel"], name="flex_worker_channel_once")
        ]


class Task(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RESERVED = "reserved"
        ASSIGNED = "assigned"
        CANCELED = "canceled"
        COMPLETED = "completed"
        WRAPPING = "wrapping"

    sid = models.CharField(max_length=34, unique=True, default=_wt_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tasks")
    workflow = models.ForeignKey(Workflow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task_queue = models.ForeignKey(
        TaskQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    task_channel = models.ForeignKey(TaskChannel, on_delete=models.RESTRICT, related_name="+")
    attributes = models.TextField(default="{}")
    assignment_status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    priority = models.BigIntegerField(default=0)
    reason = models.TextField(blank=True, default="")
    timeout = models.PositiveIntegerField(default=86400)
    task_queue_entered_date = models.DateTimeField(null=True, blank=True)
    # Routing position: the matched filter (-1 = default_filter) and the target within it.
    filter_index = models.IntegerField(default=-1)
    step = models.IntegerField(default=0)
    step_deadline = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "assignment_status", "priority"], name="flex_task_wait")]

    def attrs(self) -> dict[str, Any]:
        value = json.loads(self.attributes or "{}")
        return value if isinstance(value, dict) else {}


class Reservation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        TIMEOUT = "timeout"
        CANCELED = "canceled"
        RESCINDED = "rescinded"
        WRAPPING = "wrapping"
        COMPLETED = "completed"

    sid = models.CharField(max_length=34, unique=True, default=_wr_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reservations")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="reservations")
    reservation_status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=0)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)


class Event(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=_ev_sid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=64)
    description = models.TextField(blank=True, default="")
    resource_type = models.CharField(max_length=32)
    resource_sid = models.CharField(max_length=34)
    event_data = models.JSONField(default=dict)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "date_created"], name="flex_event_date")]


class Timer(models.Model):
    class Kind(models.TextChoices):
        RESERVATION = "reservation"  # the reservation's task_reservation_timeout
        STEP = "step"  # the current routing step's timeout
        TTL = "ttl"  # the task's timeout

    kind = models.CharField(max_length=16, choices=Kind.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.CASCADE)
    fire_at = models.DateTimeField(db_index=True)
