"""The PDFs open, say what they should, and are served only to those who may see the object."""

import io

import pytest
from pypdf import PdfReader

from documents import portfolio
from fund import documents, pdf_fonts
from proposals.factories import ProposalFactory
from reviews.models import Assignment, Review

from .conftest import D


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Table cells wrap long titles: compare words, not line breaks.
    return " ".join(text.split())


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_award_letter_names_the_amount_tranches_conditions_and_signatory(client, world):
    response = _get(client, world.lead, f"/api/v1/awards/{world.award.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Award letter" in text
    assert "Citizen-designed bus timetables" in text
    assert "BTN 400,000.00" in text
    assert "BTN 250,000.00" in text and "BTN 150,000.00" in text
    assert "Milestone 1: pilot running in district 1" in text
    assert "Report each milestone." in text  # the conditions
    assert "Sonam Dorji" in text  # the signatory
    assert "Pema Wangmo" in text  # the addressee
    assert world.fund.name in text


def test_proposal_summary_has_title_budget_and_honoured_outcome(client, world):
    from proposals.services import proposal_report_outcome

    from .conftest import release_all

    release_all(world.award)
    proposal_report_outcome(
        proposal=world.funded, actor=world.lead, result="did_not_succeed", summary="Low uptake.",
        indicators="12% usage.", amount_spent=D("1000.00"), citizen_feedback="Print it.",
        next_step="iterate",
    )
    response = _get(client, world.team, f"/api/v1/proposals/{world.funded.pk}/summary.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert "Citizen-designed bus timetables" in text
    assert "Co-design workshops" in text  # a budget line
    assert "BTN 400,000.00" in text
    assert "Did not work as hoped — learning shared" in text


def test_round_portfolio_ranks_and_totals(client, world):
    from people.factories import UserFactory
    from reviews.models import Panel

    for score in (D("80.00"), D("60.00")):
        assignment = Assignment.objects.create(
            proposal=world.recommended, reviewer=UserFactory(), panel=Panel.objects.get(),
            due_on="2027-01-01", state="submitted",
        )
        Review.objects.create(assignment=assignment, recommendation="fund", weighted_score=score)
    ProposalFactory(round=world.round, rejected=True, title="Drone deliveries")
    ProposalFactory(round=world.round, title="A draft nobody sees")
    response = _get(client, world.chair, f"/api/v1/rounds/{world.round.pk}/portfolio.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert f"Round portfolio: {world.round.title}" in text
    assert "SMS queue for district hospitals" in text
    assert "70.0" in text  # mean of 80 and 60
    assert "20.0" in text  # the spread
    assert "Drone deliveries" in text and "Not recommended" in text
    assert "Not recommended: 1 (BTN" in text.split("Decisions")[-1]  # summed up by state
    assert "A draft nobody sees" not in text
    assert "BTN 700,000.00" in text  # awarded: 400,000 + 300,000
    assert "Totals by lead agency" in text and "Totals by state" in text


def test_portfolio_context_totals_add_up(world):
    context = portfolio.round_portfolio_context(world.round, world.manager)
    assert context["totals"]["awarded"] == D("700000.00")
    assert context["remaining"] == world.round.budget - D("700000.00")
    assert sum(r["awarded"] for r in context["by_state"]) == D("700000.00")
    assert sum(r["count"] for r in context["by_agency"]) == context["totals"]["count"] == 3


def test_a_missing_font_is_a_clear_error(settings, world, tmp_path):
    settings.PDF_FONT_DIR = str(tmp_path)
    with pytest.raises(pdf_fonts.MissingFont, match="DejaVuSans.ttf is missing"):
        documents.award_letter_pdf(world.award)


def test_the_prepared_font_keeps_punctuation_kerning_pairs_and_other_scripts():
    """The prepared faces cover Latin, Greek, Cyrillic and punctuation; a character outside
    them (Armenian here) is still drawn, from the installed DejaVu, not as a blank box."""
    text = _text(documents.html_to_pdf(
        "<p>AVATAR “Nu. 1,000” — Ελληνικά · Кириллица · <b>Bold</b> <i>Oblique</i></p>"
        "<p>Բարեւ</p>"
    ))
    assert "AVATAR “Nu. 1,000” — Ελληνικά · Кириллица · Bold Oblique" in text
    assert "Բարեւ" in text


def test_an_unwritable_font_cache_falls_back_to_the_installed_face(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.PDF_FONT_CACHE_DIR = str(blocker)
    source = pdf_fonts.font_files()[0]
    assert pdf_fonts.prepare_font(source) == source


@pytest.mark.parametrize(("role", "letter", "summary", "portfolio"), [
    ("anonymous", 401, 401, 401),
    ("stranger", 404, 404, 403),
    ("lead", 200, 200, 403),
    ("team", 200, 200, 403),
    ("manager", 200, 200, 200),
    ("hr", 200, 200, 403),
    ("chair", 200, 200, 200),
])
def test_pdf_access_matches_the_object(client, world, role, letter, summary, portfolio):
    user = None if role == "anonymous" else getattr(world, role)
    if user:
        client.force_login(user)
    assert client.get(f"/api/v1/awards/{world.award.pk}/letter.pdf").status_code == letter
    assert client.get(f"/api/v1/proposals/{world.funded.pk}/summary.pdf").status_code == summary
    assert client.get(f"/api/v1/rounds/{world.round.pk}/portfolio.pdf").status_code == portfolio


def test_a_draft_summary_is_hidden_from_fund_managers(client, world):
    draft = ProposalFactory(round=world.round, ready=True)
    client.force_login(world.manager)
    assert client.get(f"/api/v1/proposals/{draft.pk}/summary.pdf").status_code == 404
    client.force_login(draft.lead)
    assert client.get(f"/api/v1/proposals/{draft.pk}/summary.pdf").status_code == 200


def test_unknown_objects_are_404(client, world):
    client.force_login(world.manager)
    for url in ("/api/v1/awards/999999/letter.pdf", "/api/v1/proposals/999999/summary.pdf",
                "/api/v1/rounds/999999/portfolio.pdf"):
        assert client.get(url).status_code == 404


def test_token_clients_get_the_pdf(client, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.manager)
    response = client.get(f"/api/v1/awards/{world.award.pk}/letter.pdf",
                          HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def _reviewed(proposal, *scores):
    from people.factories import UserFactory
    from reviews.models import Panel

    for score in scores:
        assignment = Assignment.objects.create(
            proposal=proposal, reviewer=UserFactory(), panel=Panel.objects.get(),
            due_on="2027-01-01", state="submitted",
        )
        Review.objects.create(assignment=assignment, recommendation="fund", weighted_score=score)


def test_a_conflicted_fund_managers_portfolio_hides_that_proposals_score(client, world):
    _reviewed(world.recommended, D("83.00"), D("61.00"))
    client.force_login(world.manager)
    text = _text(client.get(f"/api/v1/rounds/{world.round.pk}/portfolio.pdf").content)
    assert "72.0" in text and "22.0" in text  # no conflict: the mean and the spread
    world.manager.agency = world.lead.agency  # now the lead's colleague
    world.manager.save()
    response = client.get(f"/api/v1/rounds/{world.round.pk}/portfolio.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert "SMS queue for district hospitals" in text
    assert "72.0" not in text and "22.0" not in text
    assert "Not ranked for you" in text  # set apart, with its title only


def test_a_chair_whose_own_review_is_open_sees_no_score_in_the_portfolio(world):
    from reviews.models import Panel

    _reviewed(world.recommended, D("83.00"), D("61.00"))
    Assignment.objects.create(proposal=world.recommended, reviewer=world.chair,
                              panel=Panel.objects.get(), due_on="2027-01-01")
    context = portfolio.round_portfolio_context(world.round, world.chair)
    # Set apart, like a conflict of interest: not ranked, no score, no place.
    assert world.recommended.pk not in [r.pk for r in context["ranked"]]
    assert world.recommended.pk in [p.pk for p in context["conflicted"]]
    text = _text(portfolio.round_portfolio_pdf(world.round, world.chair))
    assert "72.0" not in text and "your own review of it still open" in text


def test_the_portfolio_funding_line_is_the_ranking_pages(client, world):
    """Rejected and declined proposals no longer draw on the budget: they do not move the
    funding line, in the report as on the ranking page."""
    rejected = ProposalFactory(round=world.round, rejected=True, title="Drone deliveries",
                               requested_amount=D("2400000.00"))
    _reviewed(rejected, D("95.00"))
    _reviewed(world.recommended, D("70.00"))
    client.force_login(world.manager)
    ranking = client.get(f"/api/v1/rounds/{world.round.pk}/ranking/").json()
    context = portfolio.round_portfolio_context(world.round, world.manager)
    assert context["ranked"][0].pk == rejected.pk
    assert context["funding_line_after"] == ranking["funding_line_after_rank"]
    assert [r.rank for r in context["ranked"]] == [r["rank"] for r in ranking["results"]]
    assert context["funding_line_after"] != 1  # the rejected proposal's 2.4 million not counted
