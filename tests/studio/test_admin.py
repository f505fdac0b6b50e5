"""The Django admin lists, searches and filters flows and revisions, with sids read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.studio.flowdefs import make_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser(username="root", password="pw", email="r@example.org")
    client = Client()
    client.force_login(user)
    return client


def test_it_searches_flows_by_name(admin_client_: Client, alice: Any) -> None:
    flow = make_flow(alice, "Findable")
    make_flow(alice, "Other")
    html = admin_client_.get("/admin/studio/flow/?q=Findable").content.decode()
    assert flow.sid in html and "Other" not in html


def test_it_filters_flows_by_status(admin_client_: Client, alice: Any) -> None:
    make_flow(alice, "Drafty", status="draft")
    html = admin_client_.get("/admin/studio/flow/?status__exact=published").content.decode()
    assert "Drafty" not in html


def test_it_shows_a_flow_with_a_read_only_sid(admin_client_: Client, alice: Any) -> None:
    flow = make_flow(alice)
    response = admin_client_.get(f"/admin/studio/flow/{flow.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert flow.sid in html and 'name="sid"' not in html


def test_it_lists_and_shows_revisions_read_only(admin_client_: Client, alice: Any) -> None:
    flow = make_flow(alice)
    assert flow.sid in admin_client_.get(f"/admin/studio/flowrevision/?q={flow.sid}").content.decode()
    revision = flow.revisions.get()
    response = admin_client_.get(f"/admin/studio/flowrevision/{revision.pk}/change/")
    assert response.status_code == 200
    assert 'name="definition"' not in response.content.decode()
    post = admin_client_.post(f"/admin/studio/flowrevision/{revision.pk}/change/", {"status": "draft"})
    assert post.status_code == 403
