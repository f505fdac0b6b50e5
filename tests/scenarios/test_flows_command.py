"""``manage.py flows`` is studio's command extended by the scenarios app with ``test``."""

from __future__ import annotations

from django.core.management import get_commands, load_command_class

from scenarios.management.commands import flows as scenario_flows
from studio.management.commands import flows as studio_flows


def test_it_runs_the_scenarios_apps_flows_command() -> None:
    assert get_commands()["flows"] == "scenarios"
    command = load_command_class("scenarios", "flows")
    assert isinstance(command, studio_flows.Command)
    assert list(command.subcommands) == ["import", "export", "validate", "test"]


def test_it_keeps_studios_own_subcommands_unchanged() -> None:
    for name, entry in studio_flows.SUBCOMMANDS.items():
        assert scenario_flows.SUBCOMMANDS[name] is entry
    assert "test" not in studio_flows.SUBCOMMANDS
