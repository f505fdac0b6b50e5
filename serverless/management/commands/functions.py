"""``manage.py functions deploy|list|logs``: the Serverless Toolkit's deploy, list and logs, here."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.errors import TwilioAPIError
from accounts.models import Account
from serverless.deploy import deploy_project
from serverless.models import Environment, Log, Service
from serverless.project import ProjectError
from serverless.serializers import domain_name, iso, resource_url
from serverless.services import service_for


def account_for(sid: str) -> Account:
    account = Account.objects.filter(sid=sid).first()
    if account is None:
        raise CommandError(f"No account {sid}")
    return account


class Command(BaseCommand):
    help = "Deploy a Twilio Serverless Toolkit project, list services, or show (tail) logs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deploy = sub.add_parser("deploy", help="deploy a Toolkit project folder unchanged")
        deploy.add_argument("directory")
        deploy.add_argument("--account", required=True, help="AC… of the owning account")
        deploy.add_argument("--service-name", help="unique name of the service (default: package.json name)")
        deploy.add_argument("--environment", default="dev", help="domain suffix; 'production' = none")
        deploy.add_argument("--json", action="store_true", help="print the result as JSON")

        listing = sub.add_parser("list", help="the account's services, environments and functions")
        listing.add_argument("--account", required=True)
        listing.add_argument("--json", action="store_true")

        logs = sub.add_parser("logs", help="an environment's logs")
        logs.add_argument("--account", required=True)
        logs.add_argument("--service", required=True, help="service SID or unique name")
        logs.add_argument("--environment", default="dev", help="environment SID, unique name or suffix")
        logs.add_argument("--tail", action="store_true", help="keep printing new logs (poll every second)")
        logs.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_deploy(self, options: dict[str, Any]) -> None:
        account = account_for(options["account"])
        try:
            result = deploy_project(
                account, Path(options["directory"]), options.get("service_name"), options["environment"]
            )
        except (ProjectError, TwilioAPIError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from None
        body = result.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(body, indent=2))
        else:
            self.stdout.write(f"service {body['service_sid']}  environment {body['environment_sid']}")
            self.stdout.write(
                f"build {body['build_sid']}: {body['build_status']}  domain {body['domain_name']}"
            )
            for item in body["functions"] + body["assets"]:
                self.stdout.write(f"  {item['visibility']:9} {item['url']}")
        if not result.ok:
            for error in result.build.errors or [f"build {result.build.status}"]:
                self.stderr.write(error)
            raise SystemExit(1)

    def do_list(self, options: dict[str, Any]) -> None:
        account = account_for(options["account"])
        out: list[dict[str, Any]] = []
        for service in Service.objects.filter(account=account).prefetch_related("environments", "functions"):
            envs = [
                {
                    "sid": e.sid,
                    "unique_name": e.unique_name,
                    "domain_name": domain_name(e),
                    "build_sid": e.build.sid if e.build else None,
                    "functions": _live_paths(e),
                }
                for e in service.environments.select_related("build", "service")
            ]
            out.append({"sid": service.sid, "unique_name": service.unique_name, "environments": envs})
        if options["json"]:
            self.stdout.write(json.dumps(out, indent=2))
            return
        for item in out:
            self.stdout.write(f"{item['sid']}  {item['unique_name']}")
            for env in item["environments"]:
                self.stdout.write(f"  {env['sid']}  {env['unique_name']}  {env['domain_name']}")
                for path in env["functions"]:
                    self.stdout.write(f"    {path}")

    def do_logs(self, options: dict[str, Any]) -> None:
        account = account_for(options["account"])
        try:
            service = service_for(account, options["service"])
        except TwilioAPIError as exc:
            raise CommandError(exc.message) from None
        wanted = options["environment"]
        suffix = None if wanted == "production" else wanted
        env = (
            service.environments.filter(sid=wanted).first()
            or service.environments.filter(unique_name=wanted).first()
            or service.environments.filter(domain_suffix=suffix).first()
        )
        if env is None:
            raise CommandError(f"No environment {wanted} in {service.unique_name}")
        recent = list(
            Log.objects.filter(environment=env).order_by("-date_created", "-id")[: options["limit"]]
        )
        last_id = 0
        for log in reversed(recent):
            self._print_log(log)
            last_id = max(last_id, log.id)
        while options["tail"]:
            time.sleep(1)  # the Toolkit's tail polls every second too
            for log in Log.objects.filter(environment=env, id__gt=last_id).order_by("id"):
                self._print_log(log)
                last_id = log.id

    def _print_log(self, log: Log) -> None:
        self.stdout.write(f"{iso(log.date_created)} {log.level.upper():5} [{log.function_sid}] {log.message}")
        self.stdout.flush()


def _live_paths(env: Environment) -> list[str]:
    if env.build is None:
        return []
    return [
        resource_url(env, v.path)
        for v in env.build.function_versions.order_by("path")
        if v.visibility != "private"
    ]
