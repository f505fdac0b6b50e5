"""Issue 7: real corpus flows rebuilt from a blank canvas purely through the UI (library drag,
inspector fields, handle drags), saved, and found equal in logic to the corpus file — by the
server's revision diff and by a field-by-field comparison ignoring only widget offsets."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import corpus_builder
from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json, create_flow
from tests.support import CORPUS_DIR

pytestmark = pytest.mark.e2e


def corpus_definition(name: str) -> dict[str, Any]:
    (path,) = sorted(Path(CORPUS_DIR).rglob(name))
    data = json.loads(path.read_text())
    return data if "states" in data else data["definition"]


# The CI set; STUDIO_E2E_ALL_CORPUS=1 rebuilds every corpus flow (a few minutes).
ALL = (
    sorted(p.name for p in Path(CORPUS_DIR).glob("*.json"))
    if os.environ.get("STUDIO_E2E_ALL_CORPUS")
    else None
)


@pytest.mark.parametrize(
    "name",
    ALL
    or [
        # Messaging: send-and-wait (self-loop on deliveryFailure), a two-branch split with
        # contains conditions, two set-variables, send-to-flex with JSON attributes, send-message.
        "13-fpt-messaging-with-parking.json",
        # Voice: gather, say-play ×2, connect-call-to, run-function ×2 with parameters, a split
        # whose branches carry custom names; several catalogue defaults must be unset.
        "21-order-lookup-ivr.json",
        # Mixed, 18 widgets: http requests with `parameters`, set-variables, send-and-wait,
        # splits on is_blank with custom names, gather + say-play, run-function.
        "20-frontline-airtable-bot.json",
    ],
)
def test_it_rebuilds_a_corpus_flow_from_a_blank_canvas(app: Any, name: str) -> None:
    page = app
    expected = corpus_builder.without_dangling(corpus_definition(name))
    # Room to lay every widget out at zoom 1 (the largest corpus flow has 55): 7 per row.
    rows = -(-(len(expected["states"]) - 1) // 7)
    page.set_viewport_size({"width": 3000, "height": max(1200, 560 + 240 * rows)})
    sid = create_flow(page, f"rebuilt {name}")

    corpus_builder.build(page, expected)
    page.fill("[data-testid=commit-message]", "Rebuilt by hand")
    page.click("[data-testid=save-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Saved revision 2')")
    shot(page, f"rebuilt-{name.removesuffix('.json')}")

    built = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    # Problems are the corpus file's own (a few real exports lack a required field).
    own = api_json(page, "POST", "/api/console/validate", {"definition": expected})["body"]
    assert built["errors"] == own["errors"]
    got, want = corpus_builder.logic(built["definition"]), corpus_builder.logic(expected)
    assert got["flow"] == want["flow"]
    for state in want["states"]:
        assert got["states"].get(state) == want["states"][state], state
    assert got == want

    # The server's diff agrees: store the corpus file as the next revision, then compare.
    res = api_json(
        page,
        "POST",
        f"/api/console/flows/{sid}/revisions",
        {"definition": expected, "expected_revision": 2, "status": "draft", "commit_message": "corpus"},
    )
    assert res["status"] == 201, res
    diff = api_json(page, "GET", f"/api/console/flows/{sid}/diff?from=2&to=3")["body"]
    assert diff["has_logic_changes"] is False, diff["logic"]
    assert diff["flow_changed"] == {}
