"""``flows export --all --account AC…`` writes a whole account (flows with every revision,
Functions with their contents, Flex configuration); ``flows import`` of that file recreates it in
another account, with new sids rewritten wherever the old ones were named — or, moving to
another server, with the same sids."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.backup import SID
from accounts.deletion import delete_account
from accounts.models import Account, IncomingPhoneNumber
from conversations import services as conversations
from conversations.models import AddressConfiguration, Conversation, ConversationWebhook
from executions.models import Execution, Message
from flex.models import TaskQueue, Workflow, Workspace
from scenarios.models import FlowTest
from serverless import storage
from serverless.models import Environment, FunctionVersion, Service
from studio.models import Flow, FlowRevision
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import send_sms
from tests.operations.populate import HELLO, NUMBER, populate
from webchat.models import WebChatKey

pytestmark = pytest.mark.django_db(transaction=True)


def export(account: Account, path: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("flows", "export", "--all", "--account", account.sid, stdout=out)
    path.write_text(out.getvalue())
    return dict(json.loads(out.getvalue()))


def canonical(document: dict[str, Any]) -> str:
    """The export with what differs by nature between two accounts' copies made equal: sids
    numbered in order of appearance, service domains numbered, the account and the time gone."""
    body = {k: v for k, v in document.items() if k not in ("account", "exported_at")}
    text = json.dumps(body, sort_keys=True)
    services = document["sections"]["functions"]["tables"]["serverless.Service"]
    for n, row in enumerate(services):
        text = re.sub(rf"{re.escape(row['domain_base'])}(?![0-9])", f"DOMAIN{n}", text)
    numbers: dict[str, str] = {}
    return SID.sub(lambda m: numbers.setdefault(m.group(0), f"SID{len(numbers)}"), text)


@pytest.fixture
def source(alice: Any) -> Account:
    made = populate(alice)
    survey = made["flow"]
    # A second flow naming the first (a subflow) and a revision history of two.
    caller = make_flow(
        alice,
        definition(
            state(
                "sub", "run-subflow", [on("completed")], flow_sid=survey.sid, flow_revision="LatestPublished"
            ),
            trigger=[on("incomingMessage", "sub")],
        ),
        name="Caller",
    )
    FlowRevision.objects.create(
        flow=caller,
        revision=2,
        definition=caller.revisions.get().definition,
        status="draft",
        friendly_name="Caller",
    )
    Flow.objects.filter(pk=caller.pk).update(revision=2)
    # A number whose calls go to a flow: its URL names the account and the flow.
    IncomingPhoneNumber.objects.create(
        account=alice,
        phone_number="+15551239999",
        voice_url=f"{settings.PUBLIC_BASE_URL}/v1/Accounts/{alice.sid}/Flows/{survey.sid}",
    )
    return alice


def test_an_exported_account_imports_into_a_fresh_account_identically(
    source: Account, make_account: Any, tmp_path: Path
) -> None:
    original = export(source, tmp_path / "alice.json")
    carol = make_account("Carol")

    out = io.StringIO()
    call_command("flows", "import", str(tmp_path / "alice.json"), "--account", carol.sid, stdout=out)

    assert "studio.FlowRevision: 3" in out.getvalue()
    copy = export(carol, tmp_path / "carol.json")
    assert canonical(copy) == canonical(original)
    # Nothing of the copy names the source account's rows.
    alice_sids = set(SID.findall(json.dumps(original)))
    assert alice_sids.isdisjoint(SID.findall(json.dumps(copy)))


def test_the_copy_names_its_own_rows_and_runs(source: Account, make_account: Any, tmp_path: Path) -> None:
    export(source, tmp_path / "alice.json")
    carol = make_account("Carol")
    call_command(
        "flows", "import", str(tmp_path / "alice.json"), "--account", carol.sid, stdout=io.StringIO()
    )

    survey = Flow.objects.get(account=carol, friendly_name="Survey")
    caller = Flow.objects.get(account=carol, friendly_name="Caller")
    assert caller.revision == 2 and caller.revisions.count() == 2
    sub = next(s for s in caller.latest_revision().definition["states"] if s["name"] == "sub")
    assert sub["properties"]["flow_sid"] == survey.sid
    workflow = Workflow.objects.get(workspace__account=carol, friendly_name="Assign to Anyone")
    queues = set(TaskQueue.objects.filter(workspace__account=carol).values_list("sid", flat=True))
    named = set(SID.findall(workflow.configuration))
    assert named and named <= queues
    workspace = Workspace.objects.get(account=carol)
    assert workspace.default_activity is not None and workspace.default_activity.workspace == workspace
    service = Service.objects.get(account=carol)
    assert service.domain_base != Service.objects.get(account=source).domain_base
    assert Environment.objects.get(service=service).label.startswith(service.domain_base)
    version = FunctionVersion.objects.get(account=carol)
    assert storage.get(version.content_hash) == HELLO

    send_sms(Client(), survey, "+15550000009", NUMBER, "hi")
    execution = Execution.objects.get(flow=survey)
    assert Message.objects.filter(execution=execution, body="Hi hi, your name?").exists()


def test_numbers_conversations_the_web_chat_key_and_saved_tests_travel(
    source: Account, make_account: Any, tmp_path: Path
) -> None:
    export(source, tmp_path / "alice.json")
    carol = make_account("Carol")
    call_command(
        "flows", "import", str(tmp_path / "alice.json"), "--account", carol.sid, stdout=io.StringIO()
    )
    survey = Flow.objects.get(account=carol, friendly_name="Survey")

    numbers = IncomingPhoneNumber.objects.filter(account=carol).order_by("phone_number")
    assert [(n.phone_number, n.sms_url) for n in numbers] == [
        (NUMBER, "https://example.com/sms"),
        ("+15551239999", ""),
    ]
    assert numbers[1].voice_url == f"{settings.PUBLIC_BASE_URL}/v1/Accounts/{carol.sid}/Flows/{survey.sid}"

    chat = Conversation.objects.get(account=carol)
    assert chat.friendly_name == "Web chat"
    assert chat.service.account == carol and chat.service.is_default
    assert list(chat.participants.values_list("identity", flat=True)) == ["visitor-1"]
    assert list(chat.messages.values_list("index", "author", "body")) == [(0, "system", "hello")]
    assert ConversationWebhook.objects.get(conversation=chat).flow_sid == survey.sid
    address = AddressConfiguration.objects.get(account=carol)
    assert (address.address, address.studio_flow_sid) == (NUMBER, survey.sid)
    # The copy's conversation goes on where the original was.
    conversations.add_message(chat, author="visitor-1", body="still here")
    assert chat.messages.count() == 2

    key = WebChatKey.objects.get(account=carol)
    assert key.key.startswith("CV") and key.key != WebChatKey.objects.get(account=source).key

    saved = FlowTest.objects.get(account=carol)
    assert (saved.flow, saved.name, saved.spec) == (survey, "greets", {"turns": []})


def test_an_import_clashing_with_the_accounts_web_chat_key_or_default_service_is_refused(
    source: Account, make_account: Any, tmp_path: Path
) -> None:
    export(source, tmp_path / "alice.json")
    carol = make_account("Carol")
    WebChatKey.for_account(carol)
    with pytest.raises(CommandError, match="already has a web chat key"):
        call_command("flows", "import", str(tmp_path / "alice.json"), "--account", carol.sid)
    erin = make_account("Erin")
    conversations.default_service(erin)
    with pytest.raises(CommandError, match="already has a default Conversations service"):
        call_command("flows", "import", str(tmp_path / "alice.json"), "--account", erin.sid)
    for account in (carol, erin):  # all or nothing
        assert not Flow.objects.filter(account=account).exists()
        assert not IncomingPhoneNumber.objects.filter(account=account).exists()


def test_function_contents_travel_inside_the_file(
    source: Account, make_account: Any, tmp_path: Path, serverless_root: Path
) -> None:
    export(source, tmp_path / "alice.json")
    shutil.rmtree(serverless_root)  # another server: no blobs
    carol = make_account("Carol")
    call_command(
        "flows", "import", str(tmp_path / "alice.json"), "--account", carol.sid, stdout=io.StringIO()
    )
    assert storage.get(FunctionVersion.objects.get(account=carol).content_hash) == HELLO


def test_a_move_keeps_every_sid_and_is_refused_where_they_are_taken(
    source: Account, make_account: Any, tmp_path: Path
) -> None:
    original = export(source, tmp_path / "alice.json")
    flow_sids = set(Flow.objects.filter(account=source).values_list("sid", flat=True))
    eve = make_account("Eve")

    with pytest.raises(CommandError, match="--keep-sids"):
        call_command("flows", "import", str(tmp_path / "alice.json"), "--account", eve.sid, "--keep-sids")
    assert Flow.objects.filter(account=eve).count() == 0  # all or nothing

    delete_account(source)  # as on a new server
    dave = make_account("Dave")
    call_command(
        "flows",
        "import",
        str(tmp_path / "alice.json"),
        "--account",
        dave.sid,
        "--keep-sids",
        stdout=io.StringIO(),
    )
    assert set(Flow.objects.filter(account=dave).values_list("sid", flat=True)) == flow_sids
    moved = export(dave, tmp_path / "dave.json")
    assert moved["sections"] == json.loads(json.dumps(original["sections"]).replace(source.sid, dave.sid))


def test_export_all_needs_an_account(source: Account) -> None:
    with pytest.raises(CommandError, match="--account"):
        call_command("flows", "export", "--all")
    with pytest.raises(CommandError, match="flow sid"):
        call_command("flows", "export")


def test_createaccount_refuses_a_malformed_or_taken_sid(alice: Any) -> None:
    with pytest.raises(CommandError, match="not an account sid"):
        call_command("createaccount", "--name", "X", "--sid", "FW" + "0" * 32)
    with pytest.raises(CommandError, match="exists"):
        call_command("createaccount", "--name", "X", "--sid", alice.sid)
    with pytest.raises(CommandError, match="32 lowercase hex"):
        call_command("createaccount", "--name", "X", "--auth-token", "short")
