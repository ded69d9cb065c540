"""The award pages: forms keep what was typed, refusals show the reason, outcomes are honoured."""

import datetime

from fund.models import Award, Tranche
from proposals.models import OutcomeReport, Proposal

from .conftest import D

FUND_FORM = {
    "amount": "500000.00", "conditions": "Share the data openly.", "note": "", "rows": "3",
    "tranche-1-amount": "300000.00", "tranche-1-due_on": "2027-03-01",
    "tranche-1-milestone": "Co-design done",
    "tranche-2-amount": "200000.00", "tranche-2-due_on": "2027-09-01",
    "tranche-2-milestone": "Pilot evaluated",
}

OUTCOME_FORM = {
    "result": "did_not_succeed", "summary": "Uptake stayed low.", "indicators": "12% of 40%.",
    "amount_spent": "380000.00", "citizen_feedback": "Print the timetable.", "next_step": "stop",
}


def _state(obj):
    obj.refresh_from_db()
    return obj.state


def test_fund_form_funds_with_the_tranche_plan(client, world):
    client.force_login(world.manager)
    page = client.get(f"/awards/fund/{world.recommended.pk}/")
    assert page.status_code == 200
    assert "BTN 2,300,000.00" in page.content.decode()  # available in the fund
    response = client.post(f"/awards/fund/{world.recommended.pk}/", FUND_FORM)
    award = Award.objects.get(proposal=world.recommended)
    assert response.status_code == 302 and response.url == f"/awards/{award.pk}/"
    assert award.amount == D("500000.00") and award.conditions == "Share the data openly."
    assert list(award.tranches.values_list("amount", flat=True)) == [D("300000.00"),
                                                                      D("200000.00")]
    assert _state(world.recommended) == Proposal.State.FUNDED


def test_fund_form_refusal_keeps_what_was_typed(client, world):
    client.force_login(world.manager)
    data = {**FUND_FORM, "tranche-2-amount": "199999.99"}
    response = client.post(f"/awards/fund/{world.recommended.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "add up to 499,999.99" in html
    assert 'value="199999.99"' in html and "Pilot evaluated" in html
    assert 'value="500000.00"' in html and "Share the data openly." in html
    assert not Award.objects.filter(proposal=world.recommended).exists()


def test_fund_form_overdraw_message_is_next_to_the_amount(client, world):
    world.round.budget = D("9000000.00")
    world.round.save()
    from fund.factories import RoundFactory
    from proposals.factories import ProposalFactory

    big_round = RoundFactory(fund=world.fund, budget=D("9000000"), max_award=D("5000000"))
    proposal = ProposalFactory(round=big_round, recommended=True, requested_amount=D("2300000.01"))
    client.force_login(world.manager)
    data = {**FUND_FORM, "amount": "2300000.01", "tranche-1-amount": "2300000.01",
            "tranche-2-amount": "", "tranche-2-due_on": "", "tranche-2-milestone": ""}
    response = client.post(f"/awards/fund/{proposal.pk}/", data)
    assert response.status_code == 400
    assert "would overdraw it" in response.content.decode()


def test_add_a_tranche_row_keeps_the_values(client, world):
    client.force_login(world.manager)
    response = client.post(f"/awards/fund/{world.recommended.pk}/", {**FUND_FORM, "add_row": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="tranche-4-amount"' in html and "Co-design done" in html
    assert not Award.objects.filter(proposal=world.recommended).exists()


def test_fund_page_for_a_proposal_not_recommended_explains(client, world):
    client.force_login(world.manager)
    response = client.get(f"/awards/fund/{world.funded.pk}/")
    assert response.status_code == 200
    assert "only a recommended proposal can be funded" in response.content.decode()
    response = client.post(f"/awards/fund/{world.funded.pk}/", FUND_FORM)
    assert response.status_code == 409
    assert "cannot be done now" in response.content.decode()


def test_decline_form(client, world):
    client.force_login(world.manager)
    response = client.post(f"/awards/decline/{world.recommended.pk}/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(f"/awards/decline/{world.recommended.pk}/",
                           {"reason": "Budget exhausted."})
    assert response.status_code == 302
    assert _state(world.recommended) == Proposal.State.DECLINED


def test_award_page_offers_actions_by_role_and_explains_refusals(client, world):
    first, second = world.tranches
    client.force_login(world.lead)
    html = client.get(f"/awards/{world.award.pk}/").content.decode()
    assert "Release tranche" not in html and "Report the milestone" not in html
    assert f"/api/v1/awards/{world.award.pk}/letter.pdf" in html

    client.force_login(world.manager)
    html = client.get(f"/awards/{world.award.pk}/").content.decode()
    # Tranche 2 waits for tranche 1's milestone report: not offered, and still refused.
    assert "Release tranche 1" in html and "Release tranche 2" not in html
    response = client.post(f"/awards/tranches/{second.pk}/transitions/release/")
    assert response.status_code == 409  # the money's state refuses it, as the GET page says
    assert "Tranche 1 must be reported before tranche 2 is released." in response.content.decode()
    assert _state(second) == Tranche.State.SCHEDULED
    assert client.post(f"/awards/tranches/{first.pk}/transitions/release/").status_code == 302

    client.force_login(world.team)
    html = client.get(f"/awards/{world.award.pk}/").content.decode()
    assert "Report the milestone" in html
    url = f"/awards/tranches/{first.pk}/transitions/report_milestone/"
    response = client.post(url, {"milestone_report": "   "})
    assert response.status_code == 400 and "Describe what this tranche achieved" in (
        response.content.decode())
    assert client.post(url, {"milestone_report": "Two districts live."}).status_code == 302
    assert _state(first) == Tranche.State.REPORTED


def test_applicant_reports_a_did_not_succeed_outcome_with_respect(client, world):
    from .conftest import release_all

    release_all(world.award)
    client.force_login(world.lead)
    page = client.get(f"/awards/outcome/{world.funded.pk}/")
    assert page.status_code == 200 and 'name="result"' in page.content.decode()
    bad = client.post(f"/awards/outcome/{world.funded.pk}/", {**OUTCOME_FORM, "indicators": ""})
    assert bad.status_code == 400
    assert "Uptake stayed low." in bad.content.decode()  # kept
    response = client.post(f"/awards/outcome/{world.funded.pk}/", OUTCOME_FORM)
    assert response.status_code == 302
    assert OutcomeReport.objects.get(proposal=world.funded).result == "did_not_succeed"
    html = client.get(f"/awards/outcome/{world.funded.pk}/").content.decode()
    assert "Did not work as hoped — learning shared" in html
    assert 'class="badge badge-did_not_succeed"' in html
    assert "fail" not in html.lower().replace("fail-safe", "")
    assert "error" not in html.lower().split("outcome report")[1][:2000]


def test_fund_manager_accepts_the_outcome(client, world):
    client.force_login(world.lead)
    client.post(f"/awards/close/{world.reported.pk}/")
    assert _state(world.reported) == Proposal.State.OUTCOME_REPORTED
    client.force_login(world.manager)
    response = client.post(f"/awards/close/{world.reported.pk}/", follow=True)
    assert "Outcome accepted" in response.content.decode()
    assert _state(world.reported) == Proposal.State.CLOSED
    assert _state(world.reported_award) == Award.State.COMPLETED


def test_fund_money_page(client, world):
    from fund.services import tranche_release

    tranche_release(tranche=world.tranches[0], actor=world.manager)
    client.force_login(world.manager)
    html = client.get(f"/awards/funds/{world.fund.pk}/").content.decode()
    assert "BTN 3,000,000.00" in html  # contributed
    assert "BTN 700,000.00" in html  # committed
    assert "BTN 550,000.00" in html  # released: 250,000 + the reported 300,000
    assert "BTN 2,300,000.00" in html  # remaining
    assert "Citizen-designed bus timetables" in html
    assert datetime.date.today().year  # the page renders with dates


def test_award_list_filters(client, world):
    client.force_login(world.manager)
    html = client.get("/awards/", {"state": "active"}).content.decode()
    assert "Citizen-designed bus timetables" in html
    html = client.get("/awards/", {"state": "completed"}).content.decode()
    assert "Citizen-designed bus timetables" not in html


# --- the award form prefilled, with a running total (issue 15) ---------------------------------
def test_the_award_form_is_prefilled_with_a_plan_in_two_tranches(client, world):
    import datetime

    from django.utils import timezone

    world.recommended.requested_amount = D("500000.01")
    world.recommended.duration_months = 12
    world.recommended.save()
    client.force_login(world.manager)
    response = client.get(f"/awards/fund/{world.recommended.pk}/")
    html = response.content.decode()
    rows = response.context["rows"]
    assert [r["amount"] for r in rows[:2]] == ["250000.01", "250000.00"]
    today = timezone.localdate()
    first, second = (datetime.date.fromisoformat(r["due_on"]) for r in rows[:2])
    assert today < first < second
    assert rows[0]["milestone"] and rows[1]["milestone"] and rows[2]["amount"] == ""
    assert 'value="500000.01"' in html  # the award amount: the requested amount
    assert "This matches the award amount." in html and "BTN 500,000.01" in html
    assert "js/tranches.js" in html and "<script>" not in html
    # The suggested plan is accepted as it stands.
    data = {"amount": "500000.01", "rows": "3"}
    for row in rows:
        for key in ("amount", "due_on", "milestone"):
            data[f"tranche-{row['index']}-{key}"] = row[key]
    assert client.post(f"/awards/fund/{world.recommended.pk}/", data).status_code == 302
    assert Award.objects.get(proposal=world.recommended).tranches.count() == 2


def test_the_running_total_is_recomputed_by_the_server_after_an_error(client, world):
    client.force_login(world.manager)
    data = {**FUND_FORM, "tranche-2-amount": "150000.00"}
    html = client.post(f"/awards/fund/{world.recommended.pk}/", data).content.decode()
    assert "BTN 450,000.00" in html  # the total typed
    assert "BTN 50,000.00 less than the award amount: plan the rest." in html
    data = {**FUND_FORM, "tranche-2-amount": "lots"}
    html = client.post(f"/awards/fund/{world.recommended.pk}/", data).content.decode()
    assert "One tranche amount is not an amount in figures." in html
