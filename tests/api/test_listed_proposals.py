"""The API's proposal list written by `proposals.api.listed_proposals` (plain values, no
serializer per row; issue 16) is byte for byte the answer `ProposalSerializer` gives through
DRF's own `ListModelMixin.list`: every kind of row (partners in their order, team members in
every state, no budget, attachments with their links, an award), paged and filtered, in both
languages, for a fund manager and a lead."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import mixins

from fund.factories import RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals import api
from proposals.api import ProposalViewSet
from proposals.factories import (
    AttachmentFactory,
    BudgetLineFactory,
    ProposalFactory,
    TeamMemberFactory,
)
from proposals.models import TeamMember

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(agency=AgencyFactory(name="Lead agency"))


@pytest.fixture
def proposals(lead):
    round_ = RoundFactory()
    partners = [AgencyFactory(name="Zeta"), AgencyFactory(name="Alpha"),
                AgencyFactory(name="Mid")]
    now = timezone.now()
    rich = ProposalFactory(round=round_, lead=lead, submitted=True, partners=partners,
                           submitted_at=now, title="Rich <b>&amp; \"quoted\"</b>",
                           summary="Ünïcode ཨོཾ ", duration_months=7)
    TeamMemberFactory(proposal=rich, role="Analyst")
    TeamMemberFactory(proposal=rich, role="")
    TeamMemberFactory(proposal=rich, invited=True, role="Invited")
    TeamMemberFactory(proposal=rich, state=TeamMember.State.DECLINED, accepted_at=None)
    TeamMemberFactory(proposal=rich, state=TeamMember.State.LEFT)
    BudgetLineFactory(proposal=rich, amount=Decimal("0.01"), description="")
    BudgetLineFactory(proposal=rich, amount=Decimal("123456789.99"))
    AttachmentFactory(proposal=rich)
    AttachmentFactory(proposal=rich)
    bare = ProposalFactory(round=round_, lead=lead, submitted=True, partners=[], budget=False,
                           requested_amount=None, duration_months=None, submitted_at=now)
    draft = ProposalFactory(round=round_, lead=lead, partners=partners[:1])
    funded = ProposalFactory(round=round_, funded=True, submitted_at=now - timedelta(days=3))
    Award.objects.create(proposal=funded, amount=Decimal("1000.50"),
                         approved_by=UserFactory(fund_manager=True))
    others = ProposalFactory.create_batch(4, round=round_, submitted=True, submitted_at=now)
    return [rich, bare, draft, funded, *others]


def _both(client, path, monkeypatch) -> tuple[bytes, bytes]:
    quick = client.get(path)
    with monkeypatch.context() as patch:  # DRF's own list, ProposalSerializer per model row
        patch.setattr(ProposalViewSet, "list", mixins.ListModelMixin.list)
        patch.setattr(api, "listed_queryset", lambda rows: rows.select_related("award"))
        stock = client.get(path)
    assert quick.status_code == stock.status_code == 200
    return quick.content, stock.content


@pytest.mark.parametrize("language", ["en", "dz"])
@pytest.mark.parametrize("viewer", ["fund_manager", "lead"])
@pytest.mark.parametrize("path", [
    "/api/v1/proposals/", "/api/v1/proposals/?page_size=100", "/api/v1/proposals/?page_size=2",
    "/api/v1/proposals/?page_size=2&page=2", "/api/v1/proposals/?state=submitted",
    "/api/v1/proposals/?cursor=", "/api/v1/proposals/?format=json",
])
def test_list_is_the_serializers_byte_for_byte(proposals, lead, monkeypatch, viewer, path,
                                                language):
    user = UserFactory(fund_manager=True) if viewer == "fund_manager" else lead
    user.language = language
    user.save(update_fields=["language"])
    client = client_for(user)
    quick, stock = _both(client, path, monkeypatch)
    assert quick == stock
    assert b'"results":[{' in quick


def test_the_rows_carry_every_part(proposals, monkeypatch):
    client = client_for(UserFactory(fund_manager=True))
    rows = {row["id"]: row for row in client.get("/api/v1/proposals/?page_size=50").json()
            ["results"]}
    rich = rows[proposals[0].pk]
    assert len(rich["team"]) == 3 and len(rich["attachments"]) == 2
    assert rich["attachments"][0]["url"].startswith("http")
    assert len(rich["partner_agencies"]) == 3 and len(rich["budget_lines"]) >= 2
    assert rows[proposals[1].pk]["budget_total"] == "0.00"
    assert rows[proposals[3].pk]["award"] is not None
    assert proposals[2].pk not in rows  # a draft: its lead's and team's alone
