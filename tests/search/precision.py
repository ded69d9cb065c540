"""Measure similar work on the labelled set (tests/search/labelled.py), on the database the
tests run on. Used by test_precision.py; `pytest tests/search/test_precision.py -s` prints the
figures (and DATABASE_URL=postgres://… for PostgreSQL's)."""

import random
from dataclasses import dataclass

from django.utils import timezone

from fund.factories import RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from portal.load.texts import proposal_texts
from proposals.factories import ProposalFactory
from search.selectors import similar_to, stored_similar_work
from search.services import refresh_similar

from .labelled import EARLIER, NON_MATCHES, PAIRS

BLANK = {"hypothesis": "", "success_criteria": "", "approach": "", "citizen_engagement": "",
         "expected_outcomes": ""}


@dataclass
class Figures:
    pairs: int
    hits_at_5: int
    hits_at_1: int
    non_matches: int
    false_duplicates: int  # non-matches shown as a likely duplicate
    true_duplicates: int  # pairs whose earlier proposal is shown as a likely duplicate

    @property
    def top5(self) -> float:
        return self.hits_at_5 / self.pairs

    @property
    def top1(self) -> float:
        return self.hits_at_1 / self.pairs

    def __str__(self) -> str:
        return (f"{self.pairs} pairs: top-5 {self.top5:.0%} ({self.hits_at_5}), top-1 "
                f"{self.top1:.0%} ({self.hits_at_1}); likely duplicate shown for "
                f"{self.true_duplicates} of {self.pairs} pairs and {self.false_duplicates} of "
                f"{self.non_matches} non-matches")


DISTRACTORS = 80  # other earlier work, as the load data set writes it (portal/load/texts.py)


def build_world():
    """The earlier proposals, funded (so in the register every signed-in person may see), led
    from several agencies, among DISTRACTORS other funded proposals on the fund's usual
    subjects (many share words with the labelled ones: SMS reminders, mobile vans, water
    supply, schools); and the author of the new proposals, from another agency."""
    agencies = [AgencyFactory(code=f"AG{i}") for i in range(5)]
    fund_manager = UserFactory(fund_manager=True)
    round_ = RoundFactory()
    rng = random.Random(17)
    for number in range(DISTRACTORS):
        texts = proposal_texts(rng)
        proposal = ProposalFactory(
            round=round_, lead=UserFactory(agency=agencies[number % 5]), funded=True,
            title=texts["title"], summary=texts.get("summary", ""),
            problem=texts.get("problem", ""), **BLANK)
        Award.objects.create(proposal=proposal, amount=proposal.requested_amount,
                             approved_by=fund_manager, approved_at=timezone.now())
    earlier = {}
    for number, (key, title, summary, problem) in enumerate(EARLIER):
        lead = UserFactory(agency=agencies[number % 5])
        proposal = ProposalFactory(round=round_, lead=lead, funded=True, title=title,
                                   summary=summary, problem=problem, **BLANK)
        Award.objects.create(proposal=proposal, amount=proposal.requested_amount,
                             approved_by=fund_manager, approved_at=timezone.now())
        earlier[key] = proposal
    author = UserFactory(agency=AgencyFactory(code="AUTHOR"))
    return round_, author, earlier


def found_for(draft, author, stored: bool):
    """The top five as the author sees them: searched as the draft is shown, or (stored) found
    as at its submission by search.services.refresh_similar and read back for the author."""
    if stored:
        refresh_similar(proposal_id=draft.pk)
        return stored_similar_work(draft, author, limit=5).proposals
    return similar_to(draft, author, limit=5).proposals


def measure(stored: bool = False) -> Figures:
    round_, author, earlier = build_world()
    figures = Figures(len(PAIRS), 0, 0, len(NON_MATCHES), 0, 0)
    for title, summary, key in PAIRS:
        draft = ProposalFactory(round=round_, lead=author, title=title, summary=summary, **BLANK)
        found = found_for(draft, author, stored)
        ids = [hit.obj.pk for hit in found]
        target = earlier[key].pk
        figures.hits_at_5 += target in ids
        figures.hits_at_1 += bool(ids) and ids[0] == target
        figures.true_duplicates += any(h.obj.pk == target and h.likely_duplicate for h in found)
    for title, summary, key in NON_MATCHES:
        draft = ProposalFactory(round=round_, lead=author, title=title, summary=summary, **BLANK)
        found = found_for(draft, author, stored)
        figures.false_duplicates += any(
            h.obj.pk == earlier[key].pk and h.likely_duplicate for h in found)
    return figures
