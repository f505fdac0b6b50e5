"""Serverless v1 resources (serverless-flex spec §1.2–1.3), each owned by one account.

Version contents live on disk, content-addressed (``storage.py``); rows keep their hash, size and
content type. A Build freezes the versions it was given; a Deployment points an Environment at one.
"""

from __future__ import annotations

import secrets

from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


def new_zs_sid() -> str:
    return new_sid("ZS")


def new_ze_sid() -> str:
    return new_sid("ZE")


def new_zh_sid() -> str:
    return new_sid("ZH")


def new_zn_sid() -> str:
    return new_sid("ZN")


def new_zb_sid() -> str:
    return new_sid("ZB")


def new_zd_sid() -> str:
    return new_sid("ZD")


def new_zv_sid() -> str:
    return new_sid("ZV")


def new_no_sid() -> str:
    return new_sid("NO")


def random_digits() -> str:
    return str(1000 + secrets.randbelow(9000))


class Visibility(models.TextChoices):
    PUBLIC = "public"
    PROTECTED = "protected"
    PRIVATE = "private"


class Service(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_zs_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="serverless_services")
    unique_name = models.CharField(max_length=50)
    friendly_name = models.CharField(max_length=255)
    include_credentials = models.BooleanField(default=True)
    ui_editable = models.BooleanField(default=False)
    # unique name + "-" + random digits, as Twilio makes it; unique across accounts (it is a host label).
    domain_base = models.CharField(max_length=80, unique=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("account", "unique_name")]
        ordering = ["date_created", "id"]

    def __str__(self) -> str:
        return f"{self.unique_name} ({self.sid})"


class Environment(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_ze_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="environments")
    unique_name = models.CharField(max_length=100)
    domain_suffix = models.CharField(max_length=16, null=True, blank=True)
    # domain_base[-domain_suffix]: the host label, or the path segment under /fn/.
    label = models.CharField(max_length=100, unique=True)
    build = models.ForeignKey("Build", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deployment = models.ForeignKey(
        "Deployment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("service", "unique_name")]
        ordering = ["date_created", "id"]

    def __str__(self) -> str:
        return f"{self.unique_name} ({self.sid})"


class Function(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_zh_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="functions")
    friendly_name = models.CharField(max_length=255)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


class Asset(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_zh_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assets")
    friendly_name = models.CharField(max_length=255)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


class VersionFields(models.Model):
    """What a Function Version and an Asset Version share: immutable path, visibility, content."""

    sid = models.CharField(max_length=34, unique=True, default=new_zn_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    filename = models.CharField(max_length=255, blank=True, default="")  # as uploaded (extension = language)
    content_type = models.CharField(max_length=255, blank=True, default="application/octet-stream")
    content_hash = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["date_created", "id"]


class FunctionVersion(VersionFields):
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="versions")


class AssetVersion(VersionFields):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")


class Build(models.Model):
    class Status(models.TextChoices):
        BUILDING = "building"
        COMPLETED = "completed"
        FAILED = "failed"

    sid = models.CharField(max_length=34, unique=True, default=new_zb_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="builds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    function_versions = models.ManyToManyField(FunctionVersion, related_name="builds")
    asset_versions = models.ManyToManyField(AssetVersion, related_name="builds")
    dependencies = models.JSONField(default=list)  # [{"name", "version"}] as Twilio shows them
    runtime = models.CharField(max_length=16, default="node22")
    errors = models.JSONField(default=list)  # why a failed build failed (also in its logs)
    build_log = models.TextField(blank=True, default="")
    node_modules = models.CharField(max_length=500, blank=True, default="")  # the shared npm cache dir
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


class Deployment(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_zd_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="deployments")
    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="deployments")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]


class Variable(models.Model):
    sid = models.CharField(max_length=34, unique=True, default=new_zv_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="variables")
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=450)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("environment", "key")]
        ordering = ["date_created", "id"]


class Log(models.Model):
    class Level(models.TextChoices):
        INFO = "info"
        WARN = "warn"
        ERROR = "error"

    sid = models.CharField(max_length=34, unique=True, default=new_no_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="logs")
    build_sid = models.CharField(max_length=34, blank=True, default="")
    deployment_sid = models.CharField(max_length=34, blank=True, default="")
    function_sid = models.CharField(max_length=34, blank=True, default="", db_index=True)
    request_sid = models.CharField(max_length=34, blank=True, default="")
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.INFO)
    message = models.TextField()
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["date_created", "id"]
