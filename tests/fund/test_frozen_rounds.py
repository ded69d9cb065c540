"""Finished rounds are frozen (issue 13, example 3): no archive while a proposal is on its
way (the refusal lists them); nothing of an archived round changes; a closed round's terms
stay, its budget may only rise."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fund.factories import RoundFactory
from fund.models import Round
from fund.services.funds import round_archive, round_update
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.services.drafting import proposal_request_revision
from reviews import services
from reviews.factories import AssignmentFactory, PanelFactory


@pytest.fixture
def manager(db):
    return UserFactory(fund_manager=True)


def test_archive_is_refused_while_a_proposal_is_in_review(manager):
    round_ = RoundFactory(closed=True)
    ProposalFactory(round=round_, in_review=True, title="Still being reviewed")
    ProposalFactory(round=round_, recommended=True, title="Awaiting money")
    ProposalFactory(round=round_, rejected=True, title="Finished")
    with pytest.raises(ValidationError) as error:
        round_archive(round_=round_, actor=manager)
    message = str(error.value)
    assert "2 of its proposals" in message
    assert "“Still being reviewed” (in review)" in message and "Awaiting money" in message
    assert "Finished" not in message
    assert Round.objects.get(pk=round_.pk).state == "closed"


def test_archive_of_a_finished_round(manager):
    round_ = RoundFactory(closed=True)
    ProposalFactory(round=round_, rejected=True)
    round_archive(round_=round_, actor=manager)
    assert Round.objects.get(pk=round_.pk).state == "archived"


def test_nothing_changes_in_an_archived_round(manager):
    """Data from before the rule: a proposal left in review in an archived round."""
    round_ = RoundFactory(archived=True)
    chair = UserFactory()
    panel = PanelFactory(round=round_, chair=chair)
    proposal = ProposalFactory(round=round_, in_review=True)
    assignment = AssignmentFactory(proposal=proposal, panel=panel)
    with pytest.raises(ValidationError, match="archived"):
        proposal_request_revision(proposal=proposal, actor=chair, message="Revise")
    with pytest.raises(ValidationError, match="archived"):
        services.assignment_create(actor=manager, proposal=proposal,
                                   reviewer=panel.members.first(), panel=panel,
                                   due_on=assignment.due_on)
    with pytest.raises(ValidationError, match="archived"):
        services.review_save(assignment=assignment, actor=assignment.reviewer, scores=[],
                             recommendation="fund")
    with pytest.raises(ValidationError, match="archived"):
        services.panel_update(actor=manager, panel=panel, name="Renamed")
    with pytest.raises(ValidationError, match="archived"):
        round_update(actor=manager, round_=round_, title="New title")


@pytest.mark.parametrize("field, value", [("max_award", Decimal("1.00")),
                                          ("reviews_required", 1),
                                          ("min_partner_agencies", 1),
                                          ("min_panel_agencies", 1)])
def test_a_closed_rounds_terms_stay(manager, field, value):
    round_ = RoundFactory(closed=True)
    with pytest.raises(ValidationError) as error:
        round_update(actor=manager, round_=round_, **{field: value})
    assert "terms no longer change" in " ".join(error.value.message_dict[field])


def test_a_closed_rounds_budget_may_only_rise(manager):
    round_ = RoundFactory(closed=True)
    with pytest.raises(ValidationError, match="may only rise"):
        round_update(actor=manager, round_=round_, budget=round_.budget - 1)
    round_update(actor=manager, round_=round_, budget=round_.budget + 1)


def test_a_closed_rounds_rubric_stays(manager):
    round_ = RoundFactory(closed=True)
    with pytest.raises(ValidationError, match="rubric no longer changes"):
        services.criterion_create(actor=manager, round_=round_, name="Speed")


def test_the_admin_keeps_a_closed_rounds_terms_and_budget(admin_client):
    round_ = RoundFactory(closed=True)
    page = admin_client.get(f"/admin/fund/round/{round_.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("opens_at", "closes_at"):
        value = getattr(round_, name)
        data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime(
            "%H:%M:%S")
    data.update({"max_award": "1.00", "budget": "100.00", "history-TOTAL_FORMS": "0",
                 "history-INITIAL_FORMS": "0"})
    admin_client.post(f"/admin/fund/round/{round_.pk}/change/", data)
    stored = Round.objects.get(pk=round_.pk)
    assert (stored.max_award, stored.budget) == (round_.max_award, round_.budget)
