"""The proposal page's breadcrumb leads where the viewer came from, by role: the lead and team
to My proposals, a fund manager to All proposals, anyone else (a reviewer) Home."""

import re

import pytest
from django.urls import reverse

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _crumb(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    nav = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', response.content.decode(), re.S)
    return nav.group(1)


def test_lead_and_team_go_back_to_my_proposals(client):
    proposal = ProposalFactory(submitted=True)
    member = TeamMemberFactory(proposal=proposal).user
    for user in (proposal.lead, member):
        crumb = _crumb(client, user, proposal)
        assert f'href="{reverse("proposals:mine")}">My proposals<' in crumb


def test_a_fund_manager_goes_back_to_all_proposals(client):
    proposal = ProposalFactory(submitted=True)
    crumb = _crumb(client, UserFactory(fund_manager=True), proposal)
    assert f'href="{reverse("all_proposals")}">All proposals<' in crumb
    assert "My proposals" not in crumb


def test_a_reviewer_goes_home(client):
    proposal = ProposalFactory(in_review=True)
    reviewer = AssignmentFactory(proposal=proposal).reviewer
    crumb = _crumb(client, reviewer, proposal)
    assert f'href="{reverse("dashboard")}">Home<' in crumb
    assert "My proposals" not in crumb
