"""The console's Functions & Assets pages: create a service, write a function in the editor,
add a variable, deploy with the build's progress, and the function answers at its URL."""

from __future__ import annotations

from typing import Any

from django.test import Client

from serverless.models import Environment, Service
from tests.e2e.conftest import shot

CODE = (
    "exports.handler = (context, event, callback) => callback(null, `${context.GREETING} from the console`);"
)


def test_a_function_written_in_the_console_deploys_and_answers(
    app: Any, settings: Any, tmp_path: Any
) -> None:
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path / "serverless"}
    errors: list[str] = []
    app.on("pageerror", lambda e: errors.append(str(e)))
    app.goto(f"{app.base}/functions")
    app.fill("[data-testid=service-name]", "console-app")
    app.click("text=Create service")
    app.wait_for_selector("[data-testid=functions-service]")
    app.click("text=Add dev")
    app.wait_for_selector("[data-testid=environment] option", state="attached")

    app.fill("[aria-label='New function path']", "/greet")
    app.click("text=Add function")
    app.click("[data-testid=resource]:has-text('/greet')")
    editor = app.locator("[data-testid=function-source]")
    editor.click()
    app.keyboard.press("Control+A")
    app.keyboard.press("Delete")
    editor.fill(CODE)
    app.click("text=Save")
    app.wait_for_selector("[data-testid=deploy-progress]:has-text('Saved /greet')")

    app.fill("[aria-label='New variable key']", "GREETING")
    app.fill("[aria-label='New variable value']", "Hello")
    app.click("button:has-text('Add')>> nth=-1")
    app.wait_for_selector("[aria-label='Value of GREETING']")

    app.click("[data-testid=deploy]")
    app.wait_for_selector(
        "[data-testid=deploy-progress]:has-text('is live on dev-environment')", timeout=30_000
    )
    shot(app, "functions-console")
    assert errors == []

    service = Service.objects.get(unique_name="console-app")
    env = Environment.objects.get(service=service, domain_suffix="dev")
    answer = Client().get(f"/fn/{env.label}/greet")
    assert answer.status_code == 200 and answer.content == b"Hello from the console"
