"""A Toolkit project folder is read as the Toolkit reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from serverless.project import ProjectError, parse_env, read_project
from tests.serverless.support import CORPUS


def test_it_maps_files_to_paths_and_visibility_by_their_infix() -> None:
    project = read_project(CORPUS / "vaccine-standby")
    functions = {f.path: f.visibility for f in project.functions}
    assert functions["/setup"] == "public" and functions["/auth"] == "private"
    assets = {a.path: a.visibility for a in project.assets}
    assert assets["/studio_flow.js"] == "private"  # the infix is dropped from the path
    assert assets["/index.html"] == "public"
    assert project.name == "vaccine-standby"
    assert project.dependencies == {"twilio": "^3.61.0"}
    assert project.variables == {"SALT": "salty"}  # empty values are not deployed


def test_subfolders_become_path_segments(tmp_path: Path) -> None:
    (tmp_path / "functions" / "admin").mkdir(parents=True)
    (tmp_path / "functions" / "admin" / "login.protected.js").write_text("exports.handler = () => {};")
    (tmp_path / "functions" / "tools.py").write_text("def handler(context, event, callback): pass")
    (tmp_path / "functions" / "README.md").write_text("not a function")
    (tmp_path / "assets" / "audio files").mkdir(parents=True)
    (tmp_path / "assets" / "audio files" / "hold music.mp3").write_bytes(b"ID3")
    project = read_project(tmp_path)
    assert [(f.path, f.visibility, f.filename) for f in project.functions] == [
        ("/admin/login", "protected", "login.protected.js"),
        ("/tools", "public", "tools.py"),
    ]
    assert [(a.path, a.content_type) for a in project.assets] == [
        ("/audio-files/hold-music.mp3", "audio/mpeg")
    ]


def test_env_files_skip_comments_empty_values_and_credentials() -> None:
    text = '# description: x\nA=1\nB=\nACCOUNT_SID=ACxxx\nAUTH_TOKEN=secret\nC="quoted # kept"\nD=v # note\n'
    assert parse_env(text) == {"A": "1", "C": "quoted # kept", "D": "v"}


def test_a_folder_without_functions_or_assets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no functions"):
        read_project(tmp_path)
