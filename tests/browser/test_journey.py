"""A proposal's whole life in a real browser, by clicking and typing as each role would:
a civil servant drafts and submits it; a fund manager sends it to review; the panel's chair
assigns reviewers, who score it; the chair decides; the fund manager funds it with tranches
and releases the first; the applicant reports an outcome that did not work as hoped and
shares the learning; the fund manager accepts the report and it closes.

And a conflicted chair: on a proposal with a partner from the chair's own agency, the
chair is not offered the decision; a stand-in chair, named by the fund manager, decides.

Locators are roles and labels (as a screen reader finds them), so the test also checks that
every control it uses is named."""

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

OPEN_ROUND = "round-2026-services-closer-to-citizens"


def submit(button):
    """Click a button that posts a form and wait for the answer's page to load, so what
    follows (a database check, the next click) never races the request."""
    with button.page.expect_navigation():
        button.click()


class People:
    """One browser context per person, signed in once."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.pages = browser, base_url, {}

    def __call__(self, username):
        if username not in self.pages:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900},
                                               locale="en-GB", timezone_id="Asia/Thimphu")
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, self.base_url, username)
            self.pages[username] = page
        return self.pages[username]

    def dump(self, folder):
        """On failure: what each person's page showed, as a screenshot and its HTML."""
        folder.mkdir(parents=True, exist_ok=True)
        for username, page in self.pages.items():
            try:
                page.screenshot(path=str(folder / f"{username}.png"), full_page=True)
                (folder / f"{username}.html").write_text(page.content(), encoding="utf-8")
            except Exception:  # the page itself is gone: nothing more to show
                pass

    def close(self):
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def people(request, site, browser):
    crowd = People(browser, site)
    yield crowd
    if getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed:
        folder = Path(tempfile.gettempdir()) / f"browser-journey-{request.node.name}"
        crowd.dump(folder)
        print(f"The pages as each person last saw them: {folder}")
    crowd.close()


def _proposal(title):
    from proposals.models import Proposal

    return Proposal.objects.get(title=title)


def draft_and_submit(page, base, title, partners):
    """The civil servant: a new proposal, typed into the form, saved, then submitted."""
    from fund.models import Round

    round_ = Round.objects.get(slug=OPEN_ROUND)
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New proposal").click()
    page.get_by_label("Round").select_option(value=str(round_.pk))
    page.get_by_label(re.compile(r"^Title")).fill(title)
    page.get_by_label("Summary").fill("Bus stops show when the next bus comes, by SMS.")
    page.get_by_label("The problem").fill("People wait an hour in the cold without knowing.")
    page.get_by_label("What the experiment will test").fill("Arrival times cut waiting.")
    page.get_by_label("What result would show it works").fill("Waits fall by a third.")
    page.get_by_label("How you will run it").fill("Three routes in Thimphu for six months.")
    page.get_by_label("How citizens co-create it").fill("Riders choose the stops.")
    page.get_by_label("Expected outcomes").fill("Shorter waits; a service to copy.")
    page.get_by_label("Duration in months").fill("6")
    for agency in partners:
        page.get_by_role("checkbox", name=agency).check()
    page.get_by_label("Requested amount (BTN)").fill("500000")
    line = page.get_by_role("group", name="Budget line 1")
    line.get_by_label("Category").select_option(index=1)
    line.get_by_label("What it pays for").fill("SMS gateway and signs at 30 stops")
    line.get_by_label("Amount (BTN)").fill("500000")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text(re.compile("Submitted", re.I)).first).to_be_visible()
    assert _proposal(title).state == "submitted"


def send_to_review(page, base, title):
    """The fund manager: from the screening queue to the proposal, sent to review."""
    page.goto(base + "/")
    page.get_by_role("link", name="Screening queue").first.click()
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    # With more than one panel in the round, the button opens a choice of panel first.
    panel = page.get_by_label("Which panel reviews it?")
    if panel.count():
        if not panel.is_visible():
            page.locator("summary", has_text="Send to review").click()
        panel.select_option(index=1)
    page.get_by_role("button", name="Send to review").last.click()
    expect(page.get_by_text(re.compile("In review", re.I)).first).to_be_visible()
    assert _proposal(title).state == "in_review"


def assign_reviewers(page, base, title):
    """The chair: the panel's assignment plan, ticked as proposed."""
    from reviews.models import Panel

    panel = Panel.objects.get(round__slug=OPEN_ROUND)
    page.goto(base + "/")
    page.get_by_role("link", name="Review panels").first.click()
    page.get_by_role("link", name=panel.name).first.click()
    page.get_by_role("link", name="Assignment plan").first.click()
    section = page.get_by_role("region", name=re.compile(re.escape(title)))
    expect(section.get_by_role("checkbox").first).to_be_visible()
    due = page.get_by_label("Reviews due on")
    if due.count() and not due.input_value():
        due.fill((timezone.localdate() + timedelta(days=10)).isoformat())
    submit(page.get_by_role("button", name="Make the ticked assignments"))
    expect(page.get_by_text(re.compile(r"\d+ assignments? made")).first).to_be_visible()
    proposal = _proposal(title)
    reviewers = list(proposal.assignments.filter(state="assigned")
                     .values_list("reviewer__username", flat=True))
    assert len(reviewers) >= proposal.round.reviews_required, reviewers
    return reviewers


def review(page, base, title):
    """A reviewer: My reviews, the assignment, every criterion scored, submitted."""
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name=title).first.click()
    form = page.locator("#review-form")
    # .all() does not wait: without this, a slow navigation leaves it the previous page's
    # (empty) list and nothing is scored.
    expect(form.locator("fieldset.criterion").first).to_be_visible()
    for criterion in form.locator("fieldset.criterion").all():
        criterion.get_by_role("radio").last.check()
    page.get_by_label("Comment to the applicant").fill("A clear test; measure the waits well.")
    page.get_by_label("Comment to the panel (confidential)").fill("Worth funding.")
    page.get_by_label("Fund", exact=True).check()
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_role("link", name="Read the other reviews of this proposal")).to_be_visible()


def decide(page, base, title, decision="Recommend for funding"):
    """The acting chair: the proposal's reviews, the decision recorded with a rationale."""
    proposal = _proposal(title)
    page.goto(f"{base}/reviews/proposals/{proposal.pk}/")
    page.get_by_label(decision).check()
    page.get_by_label("Rationale").fill("Strong scores from three agencies; worth testing.")
    submit(page.get_by_role("button", name="Record the decision"))
    proposal.refresh_from_db()
    assert proposal.state == "recommended"


def fund_and_release(page, base, title):
    """The fund manager: fund with two tranches, then release the first after confirming."""
    proposal = _proposal(title)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Fund this proposal").click()
    page.get_by_label("Award amount").fill("500000")
    page.get_by_label("Conditions").fill("Waiting times are measured at every stop.")
    today = timezone.localdate()
    page.get_by_label("Tranche 1 amount").fill("300000")
    page.get_by_label("Tranche 1 due on").fill((today + timedelta(days=7)).isoformat())
    page.get_by_label("Tranche 1 milestone").fill("Signs and SMS running on three routes.")
    page.get_by_label("Tranche 2 amount").fill("200000")
    page.get_by_label("Tranche 2 due on").fill((today + timedelta(days=120)).isoformat())
    page.get_by_label("Tranche 2 milestone").fill("Four months of waiting times analysed.")
    submit(page.get_by_role("button", name="Fund the proposal"))
    proposal.refresh_from_db()
    assert proposal.state == "funded"
    page.goto(f"{base}/awards/{proposal.award.pk}/")
    page.get_by_role("link", name=re.compile("Release tranche 1")).click()
    submit(page.get_by_role("button", name="Yes, release tranche 1"))
    assert proposal.award.tranches.get(sequence=1).state == "released"


def report_outcome(page, base, title):
    """The applicant: the outcome did not work as hoped, and the learning is shared."""
    proposal = _proposal(title)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Report the outcome").click()
    page.get_by_label(re.compile("Did not work as hoped")).check()
    page.get_by_label("What happened").fill("Riders used the SMS, but waits did not fall.")
    page.get_by_label("Indicators against the success criteria").fill("Waits fell by 4%.")
    page.get_by_label("Amount spent").fill("300000")
    page.get_by_label("What citizens told you").fill("Buses were late more than we knew.")
    page.get_by_label("Iterate").check()
    submit(page.get_by_role("button", name="Submit the outcome report"))
    proposal.refresh_from_db()
    assert proposal.state == "outcome_reported"
    page.get_by_role("link", name="Share a learning from this experiment").click()
    page.get_by_label("Title").fill("Arrival times do not help when buses are late")
    page.get_by_label("Did not work as hoped", exact=True).check()
    page.get_by_label("What we tried").fill("SMS arrival times at 30 stops.")
    page.get_by_label("What happened").fill("Waits barely changed.")
    page.get_by_label("What we learned").fill("Fix punctuality before predicting arrivals.")
    submit(page.get_by_role("button", name=re.compile("Share|Save|Publish")).first)
    from rewards.models import Learning

    assert Learning.objects.filter(proposal=proposal, kind="failure").exists()


def accept_and_close(page, base, title):
    proposal = _proposal(title)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Read the outcome report and close").click()
    page.get_by_role("link", name=re.compile("Accept the outcome report and close")).click()
    submit(page.get_by_role("button", name="Yes, accept and close"))
    proposal.refresh_from_db()
    assert proposal.state == "closed"


def test_a_proposal_from_draft_to_closed(site, people):
    title = "Bus arrival times by SMS at Thimphu stops"
    draft_and_submit(people("pema"), site, title, ["GovTech Agency",
                                                   "Punakha Dzongkhag Administration"])
    send_to_review(people("sonam"), site, title)
    reviewers = assign_reviewers(people("tashi"), site, title)
    for username in reviewers:
        review(people(username), site, title)
    decide(people("tashi"), site, title)
    fund_and_release(people("sonam"), site, title)
    report_outcome(people("pema"), site, title)
    accept_and_close(people("sonam"), site, title)


def name_stand_in(page, base, title):
    """The fund manager: the home page lists the proposal with no acting chair; a stand-in
    chair is named from there. Returns the stand-in's username."""
    proposal = _proposal(title)
    page.goto(base + "/")
    page.get_by_role("link", name="Name a stand-in chair").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label("Stand-in chair").select_option(index=1)
    submit(page.get_by_role("button", name="Name the stand-in chair"))
    from reviews.chairs import acting_chair
    from reviews.models import PanelStandIn

    stand_in = PanelStandIn.objects.filter(proposal=proposal).latest("pk").chair
    assert acting_chair(proposal) == stand_in
    return stand_in.username


def test_a_conflicted_chair_is_not_offered_the_decision_and_a_stand_in_decides(site, people):
    """The chair (tashi, National Statistics Bureau) is conflicted with a proposal that has
    the Bureau as a partner; the panel has no deputy, so a fund manager names a stand-in."""
    title = "Household survey answers by phone in Trashigang"
    draft_and_submit(people("pema"), site, title, ["GovTech Agency",
                                                   "National Statistics Bureau"])
    send_to_review(people("sonam"), site, title)
    reviewers = assign_reviewers(people("sonam"), site, title)
    assert "tashi" not in reviewers
    for username in reviewers:
        review(people(username), site, title)
    proposal = _proposal(title)
    chair = people("tashi")
    chair.goto(f"{site}/reviews/proposals/{proposal.pk}/")
    expect(chair.get_by_role("button", name="Record the decision")).to_have_count(0)
    chair.goto(f"{site}/proposals/{proposal.pk}/")
    expect(chair.get_by_role("button", name=re.compile("decision|Recommend", re.I))).to_have_count(0)
    stand_in = name_stand_in(people("sonam"), site, title)
    assert stand_in != "tashi"
    decide(people(stand_in), site, title)
