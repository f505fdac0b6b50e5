"""A whole account as one JSON document, and back: for backups and moves between servers.

Each app says what of an account it keeps in a ``backup`` module of its own (``studio.backup``,
``serverless.backup``, ``flex.backup``, ``conversations.backup``, ``webchat.backup``,
``scenarios.backup``, found here by name as Django's admin finds ``admin`` modules, so this app
imports none of them): a ``NAME``, its ``TABLES`` in creation order (each a model, the lookup
from it to the account, the fields left out) and optionally ``AFTER`` (the sections whose rows
its rows point to: loaded first), ``export_extra`` / ``import_extra`` (Functions' file contents),
``renamed`` (values unique across a server) and ``check_import`` (refuses an import that would
clash with what the account already has). This app's own part (the phone numbers) is
``NUMBERS`` below.

Rows travel with their fields; a foreign key travels as the sid of the row it points to. On
import every sid gets a new value (``keep_sids=True`` keeps them: a move to another server, where
Twilio numbers keep pointing at the same webhook URLs) and every occurrence of an old sid in any
string (flow definitions naming subflows, workflows or functions; workflow configurations naming
queues) is rewritten to the new one. What runs or ran (executions, tasks, builds, logs) and what
grants access (API keys, members) is not exported. The web chat's key is exported (it is public
by design, written in the pages that embed the chat) and, like a sid, gets a new value on import.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import importlib.util
import json
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account, IncomingPhoneNumber
from accounts.sids import new_sid

FORMAT = "open-studio-account"
VERSION = 1
SID = re.compile(r"\b[A-Z]{2}[0-9a-f]{32}\b")


class BackupError(ValueError):
    pass


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    owner: str  # the lookup from a row to its account ("account", "flow__account", …)
    exclude: tuple[str, ...] = ()
    account_field: str | None = "account"  # the row's own key to the account, set on import
    sid_field: str = "sid"  # the row's identifier, unique across a server: new on import

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass
class Imported:
    rows: dict[str, int] = field(default_factory=dict)
    sids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """This app's own part; the other apps' parts are their ``backup`` modules."""

    NAME: str
    TABLES: list[Table]


# Phone numbers' URLs name the account's flows (a Studio flow's webhook): rewritten with the sids.
NUMBERS = Section("numbers", [Table(IncomingPhoneNumber, "account")])


def sections() -> list[ModuleType | Section]:
    """Every part, each after the parts it names in ``AFTER`` (saved flow tests point to flows;
    INSTALLED_APPS has ``scenarios`` before ``studio``)."""
    found: dict[str, ModuleType | Section] = {NUMBERS.NAME: NUMBERS}
    for config in apps.get_app_configs():
        name = f"{config.name}.backup"
        if config.name != "accounts" and importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            found[module.NAME] = module
    ordered: list[ModuleType | Section] = []

    def place(section: ModuleType | Section, seen: tuple[str, ...] = ()) -> None:
        if section in ordered or section.NAME in seen:
            return
        for before in getattr(section, "AFTER", ()):
            if before in found:
                place(found[before], (*seen, section.NAME))
        ordered.append(section)

    for section in found.values():
        place(section)
    return ordered


# -- export


def _fields(table: Table) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in table.model._meta.concrete_fields
        if not f.primary_key and f.name not in table.exclude and f.name != table.account_field
    ]


def _value(obj: models.Model, f: models.Field[Any, Any], sid_of: dict[tuple[Any, Any], str]) -> Any:
    if f.is_relation:
        pk = getattr(obj, f.attname)
        return None if pk is None else sid_of[(f.related_model, pk)]
    value = getattr(obj, f.attname)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):  # uploaded media: base64 text in the JSON
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def export_rows(table: Table, account: Account) -> list[dict[str, Any]]:
    rows = list(table.model._default_manager.filter(**{table.owner: account}).order_by("pk"))
    fields = _fields(table)
    sid_of: dict[tuple[Any, Any], str] = {}
    for f in fields:
        if f.is_relation:
            pks = {getattr(r, f.attname) for r in rows} - {None}
            target = f.related_model
            for pk, sid in target._default_manager.filter(pk__in=pks).values_list("pk", "sid"):  # type: ignore[union-attr]
                sid_of[(target, pk)] = sid
    return [{f.name: _value(r, f, sid_of) for f in fields} for r in rows]


def export_account(account: Account) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {"sid": account.sid, "friendly_name": account.friendly_name},
        "sections": {},
    }
    for section in sections():
        part: dict[str, Any] = {"tables": {t.label: export_rows(t, account) for t in section.TABLES}}
        if hasattr(section, "export_extra"):
            part["extra"] = section.export_extra(account)
        body["sections"][section.NAME] = part
    return body


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# -- import


def _rewrite(
    value: Any, sids: dict[str, str], names: dict[str, str], names_re: re.Pattern[str] | None
) -> Any:
    if isinstance(value, str):
        value = SID.sub(lambda m: sids.get(m.group(0), m.group(0)), value)
        if names_re is not None:
            value = names_re.sub(lambda m: names[m.group(0)], value)
        return value
    if isinstance(value, list):
        return [_rewrite(v, sids, names, names_re) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, sids, names, names_re) for k, v in value.items()}
    return value


def _plan(
    document: dict[str, Any], account: Account, keep_sids: bool
) -> tuple[dict[str, str], dict[str, str]]:
    sids = {document["account"]["sid"]: account.sid}
    names: dict[str, str] = {}
    for section in sections():
        part = document["sections"].get(section.NAME)
        if part is None:
            continue
        for table in section.TABLES:
            for row in part["tables"].get(table.label, []):
                old = row.get(table.sid_field)
                if isinstance(old, str) and SID.fullmatch(old):
                    sids[old] = old if keep_sids else new_sid(old[:2])
        if hasattr(section, "renamed") and not keep_sids:
            names.update(section.renamed(part["tables"]))
    return sids, names


def _load_table(
    table: Table,
    rows: list[dict[str, Any]],
    account: Account,
    deferred: list[tuple[models.Model, str, Any, str]],
) -> int:
    fields = {f.name: f for f in _fields(table)}
    for row in rows:
        values: dict[str, Any] = {}
        later: list[tuple[str, Any, str]] = []
        for name, raw in row.items():
            f = fields.get(name)
            if f is None:
                continue  # a field this server does not have (an older or newer export)
            if f.is_relation:
                if raw is None:
                    values[f.attname] = None
                    continue
                target = f.related_model._default_manager.filter(sid=raw).first()  # type: ignore[union-attr]
                if target is None and f.null:
                    later.append((f.attname, f.related_model, raw))
                    continue
                if target is None:
                    raise BackupError(f"{table.label}.{name}: {raw} not found")
                values[f.attname] = target.pk
            elif isinstance(f, models.DateTimeField) and isinstance(raw, str):
                values[name] = parse_datetime(raw)
            elif isinstance(f, models.BinaryField) and isinstance(raw, str):
                values[name] = base64.b64decode(raw)
            else:
                values[name] = raw
        if table.account_field:
            values[table.account_field] = account
        obj = table.model(**values)
        obj.save(force_insert=True)
        dates = {k: v for k, v in values.items() if isinstance(fields.get(k), models.DateTimeField) and v}
        if dates:  # auto_now(_add) replaced them on save
            table.model._default_manager.filter(pk=obj.pk).update(**dates)
        deferred.extend((obj, attname, model, sid) for attname, model, sid in later)
    return len(rows)


def import_account(account: Account, document: dict[str, Any], *, keep_sids: bool = False) -> Imported:
    """Create in ``account`` what ``document`` (``export_account``'s) holds, in one transaction."""
    if document.get("format") != FORMAT:
        raise BackupError("not an account export (its format is not open-studio-account)")
    if int(document.get("version", 0)) > VERSION:
        raise BackupError(f"exported by a newer server (version {document.get('version')})")
    sids, names = _plan(document, account, keep_sids)
    names_re = None
    if names:  # whole names only: "tools-1234" in "tools-1234-dev", never in "tools-12345"
        keys = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
        names_re = re.compile(rf"(?<![A-Za-z0-9-])(?:{keys})(?![A-Za-z0-9])")
    body = _rewrite(document["sections"], sids, names, names_re)
    result = Imported(sids=sids)
    deferred: list[tuple[models.Model, str, Any, str]] = []
    with transaction.atomic():
        for section in sections():
            part = body.get(section.NAME)
            if part is None:
                continue
            if hasattr(section, "check_import"):
                section.check_import(account, part["tables"])
            for table in section.TABLES:
                result.rows[table.label] = _load_table(
                    table, part["tables"].get(table.label, []), account, deferred
                )
            if hasattr(section, "import_extra"):
                section.import_extra(account, part.get("extra") or {})
        for obj, attname, model, sid in deferred:
            target = model._default_manager.filter(sid=sid).first()
            if target is not None:
                type(obj)._default_manager.filter(pk=obj.pk).update(**{attname: target.pk})
    return result
