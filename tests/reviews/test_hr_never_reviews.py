"""HR officers decide on careers and never see review scores: not as reviewers, not as panel
members or chairs, whichever way they are put there (service, page, API or admin)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from people.factories import UserFactory
from reviews import services
from reviews.admin import PanelAdminForm
from reviews.factories import AssignmentFactory
from reviews.models import Panel
from reviews.permissions import ReviewAccess, can_view_ranking, review_access
from reviews.selectors import ranking_rows

from .conftest import full_scores

DUE = datetime.date.today() + datetime.timedelta(days=14)


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_an_hr_officer_on_a_panel_is_not_assigned(scene):
    # As the old admin allowed: the HR officer was put on the panel directly.
    scene.panel.members.add(scene.hr_officer)
    problems = services.assignment_problems(actor=scene.chair, proposal=scene.proposal,
                                            reviewer=scene.hr_officer, panel=scene.panel,
                                            due_on=DUE)
    assert "never see review scores" in " ".join(problems["reviewer"])
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=scene.chair, proposal=scene.proposal,
                                   reviewer=scene.hr_officer, panel=scene.panel, due_on=DUE)
    assert "HR officer" in _messages(error.value, "reviewer")
    assert not scene.hr_officer.assignments.exists()


def test_panel_create_and_update_refuse_hr_officers(scene):
    with pytest.raises(ValidationError) as error:
        services.panel_create(actor=scene.fund_manager, round_=scene.round, name="P",
                              chair=scene.chair, members=[*scene.members, scene.hr_officer])
    assert "HR officer" in _messages(error.value, "members")
    with pytest.raises(ValidationError) as error:
        services.panel_update(actor=scene.fund_manager, panel=scene.panel,
                              chair=scene.hr_officer)
    assert "HR officer" in _messages(error.value, "chair")
    with pytest.raises(ValidationError):
        services.panel_update(actor=scene.fund_manager, panel=scene.panel,
                              members=[*scene.panel.members.all(), scene.hr_officer])
    scene.panel.refresh_from_db()
    assert scene.panel.chair == scene.chair
    assert not scene.panel.members.filter(pk=scene.hr_officer.pk).exists()


def _admin_form(panel=None, **data):
    return PanelAdminForm(data={k: v for k, v in data.items() if v is not None},
                          instance=panel)


def test_the_admin_panel_form_refuses_an_hr_officer(scene):
    members = [m.pk for m in scene.members]
    form = _admin_form(round=scene.round.pk, name="New", chair=scene.chair.pk,
                       members=[*members, scene.hr_officer.pk])
    assert not form.is_valid()
    assert "HR officer" in " ".join(form.errors["members"])
    form = _admin_form(round=scene.round.pk, name="New", chair=scene.hr_officer.pk,
                       members=members)
    assert not form.is_valid() and "HR officer" in " ".join(form.errors["chair"])
    form = _admin_form(round=scene.round.pk, name="New", chair=scene.chair.pk, members=members)
    assert form.is_valid(), form.errors


def test_the_admin_panel_form_keeps_members_with_assignments_and_enough_agencies(scene):
    everyone = [m.pk for m in scene.panel.members.all()]
    dropped = [pk for pk in everyone if pk != scene.members[0].pk]
    form = _admin_form(scene.panel, round=scene.round.pk, name=scene.panel.name,
                       chair=scene.chair.pk, members=dropped)
    assert not form.is_valid()
    assert "already has assignments" in " ".join(form.errors["members"])
    # With assignments made, the panel keeps members from the round's minimum of agencies.
    scene.round.min_panel_agencies = 4
    scene.round.save()
    same_agency = UserFactory(agency=scene.members[0].agency)
    kept = [m.pk for m in scene.members] + [same_agency.pk]
    form = _admin_form(scene.panel, round=scene.round.pk, name=scene.panel.name,
                       chair=scene.chair.pk, members=kept)
    assert not form.is_valid()
    assert "needs at least 4" in " ".join(form.errors["members"])
    form = _admin_form(scene.panel, round=scene.round.pk, name=scene.panel.name,
                       chair=scene.chair.pk, members=everyone)
    assert form.is_valid(), form.errors


def test_the_admin_page_refuses_an_hr_officer(scene, admin_client):
    response = admin_client.post("/admin/reviews/panel/add/", {
        "round": scene.round.pk, "name": "Through the admin", "chair": scene.chair.pk,
        "members": [scene.members[0].pk, scene.hr_officer.pk],
    })
    assert response.status_code == 200  # the form again, with the error
    assert "HR officers decide on careers" in response.content.decode()
    assert not Panel.objects.filter(name="Through the admin").exists()


def test_an_hr_officer_already_on_a_panel_sees_no_scores(scene):
    """Data from before these checks: an HR officer who chairs and reviewed."""
    hr = scene.hr_officer
    Panel.objects.filter(pk=scene.panel.pk).update(chair=hr)
    scene.panel.members.add(hr)
    own = AssignmentFactory(proposal=scene.proposal, panel=scene.panel, reviewer=hr,
                            submitted=True)
    for a in scene.assignments:
        services.review_save(assignment=a, actor=a.reviewer, scores=full_scores(scene.criteria),
                             recommendation="fund", comment_to_panel="Secret")
        services.assignment_submit_review(assignment=a, actor=a.reviewer)
    assert own.state == "submitted"
    assert review_access(hr, scene.proposal) == ReviewAccess.NONE
    assert not can_view_ranking(hr, scene.round)
    assert all(row["mean_weighted_score"] is None for row in ranking_rows(round_=scene.round,
                                                                         viewer=hr))
    client = APIClient()
    client.force_authenticate(hr)
    assert client.get(f"/api/v1/rounds/{scene.round.pk}/ranking/").status_code == 403
    assert client.get(f"/api/v1/assignments/{scene.assignments[0].pk}/review/").status_code \
        in (403, 404)


def test_an_hr_officer_with_a_conflict_reads_nothing_of_the_reviews(scene):
    """An HR officer of the lead's agency: no comment to the applicant, no review count, on
    the page or the API, once the panel decided (before, the HR branch came before the
    conflict check: an outsider's attack)."""
    from django.test import Client

    from proposals.models import Proposal

    for a in scene.assignments:
        services.review_save(assignment=a, actor=a.reviewer, scores=full_scores(scene.criteria),
                             recommendation="fund", comment_to_applicant="A clear proposal",
                             comment_to_panel="Secret")
        services.assignment_submit_review(assignment=a, actor=a.reviewer)
    Proposal.objects.filter(pk=scene.proposal.pk).update(state="recommended")
    scene.proposal.refresh_from_db()
    hr = scene.hr_officer
    assert review_access(hr, scene.proposal) == ReviewAccess.APPLICANT  # no conflict yet
    hr.agency = scene.proposal.lead.agency
    hr.save()
    assert review_access(hr, scene.proposal) == ReviewAccess.NONE
    api = APIClient()
    api.force_authenticate(hr)
    answer = api.get(f"/api/v1/proposals/{scene.proposal.pk}/reviews/")
    assert answer.status_code in (403, 404) or "A clear proposal" not in answer.content.decode()
    page = Client()
    page.force_login(hr)
    response = page.get(f"/reviews/proposals/{scene.proposal.pk}/")
    assert "A clear proposal" not in response.content.decode()


def test_an_hr_officer_on_a_panel_is_never_offered_as_a_reviewer(scene):
    """Made an HR officer after joining the panel: not proposed by the plan, not in the
    "Assign a reviewer yourself" list (an insider's attack saw them pre-ticked)."""
    from django.contrib.auth.models import Group

    from people.models import HR_OFFICERS
    from reviews.forms import AssignForm
    from reviews.planning import build_plan

    member = scene.members[0]
    member.groups.add(Group.objects.get_or_create(name=HR_OFFICERS)[0])
    assert member.is_hr_officer
    plan = build_plan(scene.panel)
    assert member.pk not in {m.pk for m in plan.members}
    assert all(member.pk not in {u.pk for u in row.proposed} for row in plan.rows)
    form = AssignForm(panel=scene.panel, user=scene.fund_manager)
    assert member not in form.fields["reviewer"].queryset
    assert scene.members[1] in form.fields["reviewer"].queryset
