"""The PDFs' running footer (CSS `content: "…"` in templates/documents/base.html) prints what
was typed: a round or fund name with quotes, an ampersand, angle brackets or a backslash, in
Dzongkha or English, reads back from the PDF as typed, never as `&quot;` (issue 18)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from documents import portfolio
from fund import documents
from fund.factories import FundFactory, RoundFactory
from fund.models import Award
from fund.templatetags.pdf_css import css_string_text
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from tests.documents.test_dzongkha_pdfs import needs_uchen, normalised, pdf_text

from .dzongkha import FUND, ROUND, TITLE

ROUND_TITLE = f'{ROUND} "pilot" round & <beds> \\ 2027'
FUND_NAME = f"{FUND} 'Gross National Happiness' \"Innovation\" Fund"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quoted(db):
    fund = FundFactory(name=FUND_NAME)
    round_ = RoundFactory(fund=fund, title=ROUND_TITLE, budget=Decimal("2500000.00"),
                          max_award=Decimal("1000000.00"))
    lead = UserFactory(agency=AgencyFactory(code="MOH"))
    proposal = ProposalFactory(round=round_, lead=lead, funded=True, title=TITLE)
    manager = UserFactory(fund_manager=True)
    award = Award.objects.create(proposal=proposal, amount=Decimal("400000.00"),
                                 approved_by=manager)
    return {"proposal": proposal, "award": award, "round": round_, "manager": manager}


@pytest.mark.parametrize("text, css", [
    ('a "b"', "a \\22 b\\22 "),
    ("back\\slash", "back\\5c slash"),
    ("</style><script>", "\\3c /style\\3e \\3c script\\3e "),
    ("line\nbreak", "line\\a break"),
    (TITLE, TITLE),  # Dzongkha as typed
])
def test_a_text_becomes_the_inside_of_a_css_string(text, css):
    assert css_string_text(text) == css


def test_the_filter_undoes_the_html_escaping_of_the_block():
    template = Template('{% load pdf_css %}"{% filter css_string %}A · {{ title }}'
                        '{% endfilter %}"')
    rendered = template.render(Context({"title": 'Clinic "queues" & <beds>'}))
    assert rendered == '"A · Clinic \\22 queues\\22  & \\3c beds\\3e "'
    assert "&quot;" not in rendered and "&amp;" not in rendered


def assert_footer(content: bytes, footer: str) -> None:
    text = pdf_text(content)
    assert normalised(footer) in text, text[-400:]
    for entity in ("&quot;", "&amp;", "&lt;", "&#x27;", "&#39;", "\\22", "\\5c"):
        assert entity not in text


@needs_uchen
def test_the_proposal_summary_footer_prints_the_round_as_typed(quoted):
    content = documents.proposal_summary_pdf(quoted["proposal"])
    assert_footer(content, f"Proposal summary · {ROUND_TITLE}")


@needs_uchen
def test_the_award_letter_footer_prints_the_fund_as_typed(quoted):
    content = documents.award_letter_pdf(quoted["award"])
    assert_footer(content, f"Award letter · {FUND_NAME}")


@needs_uchen
def test_the_round_portfolio_footer_prints_the_round_as_typed(quoted):
    content = portfolio.round_portfolio_pdf(quoted["round"], quoted["manager"])
    assert_footer(content, f"Round portfolio · {ROUND_TITLE}")
