"""The API's proposal list written by `QuickReadMixin` (api_common/quick_read.py) is the JSON
DRF's own `to_representation` writes, field for field (issue 16): every kind of row, on the
list and on the detail."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from api_common.quick_read import QuickReadMixin
from fund.factories import RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import AttachmentFactory, ProposalFactory, TeamMemberFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals():
    round_ = RoundFactory()
    partners = [AgencyFactory(name="Zeta"), AgencyFactory(name="Alpha")]
    rich = ProposalFactory(round=round_, submitted=True, partners=partners,
                           submitted_at=timezone.now())
    TeamMemberFactory(proposal=rich, role="Analyst")
    TeamMemberFactory(proposal=rich, role="")
    AttachmentFactory(proposal=rich)
    AttachmentFactory(proposal=rich)
    bare = ProposalFactory(round=round_, submitted=True, partners=[], budget=False,
                           requested_amount=None, submitted_at=timezone.now())
    funded = ProposalFactory(round=round_, funded=True, submitted_at=timezone.now())
    Award.objects.create(proposal=funded, amount=Decimal("1000.50"),
                         approved_by=UserFactory(fund_manager=True))
    return [rich, bare, funded]


def _answers(client, path, monkeypatch):
    quick = client.get(path).json()
    with monkeypatch.context() as patch:  # DRF's own way, for every serializer of the mixin
        patch.setattr(QuickReadMixin, "to_representation",
                      serializers.Serializer.to_representation)
        stock = client.get(path).json()
    return quick, stock


def test_list_is_drfs_own(proposals, monkeypatch):
    client = client_for(UserFactory(fund_manager=True))
    quick, stock = _answers(client, "/api/v1/proposals/?page_size=50", monkeypatch)
    assert quick == stock
    rows = {row["id"]: row for row in quick["results"]}
    assert set(rows) == {p.pk for p in proposals}
    rich = rows[proposals[0].pk]
    assert len(rich["team"]) >= 2 and len(rich["attachments"]) == 2
    assert len(rich["partner_agencies"]) == 2 and rich["round"] == proposals[0].round_id
    assert rows[proposals[2].pk]["award"] is not None


def test_detail_is_drfs_own(proposals, monkeypatch):
    client = client_for(UserFactory(fund_manager=True))
    for proposal in proposals:
        quick, stock = _answers(client, f"/api/v1/proposals/{proposal.pk}/", monkeypatch)
        assert quick == stock
        assert quick["id"] == proposal.pk
