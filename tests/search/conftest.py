"""A small world for search: a lead and team in MOH with partner MOE, a funded proposal of
another agency (the register), a draft, a proposal in review a chair of MOE is conflicted on,
and learnings internal and public."""

import pytest
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.models import Panel
from rewards.factories import LearningFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def award_for(proposal, by):
    return Award.objects.create(proposal=proposal, amount=proposal.requested_amount,
                                approved_by=by, approved_at=timezone.now())


@pytest.fixture
def world(db):
    moh, moe, moa = (AgencyFactory(code=c) for c in ("MOH", "MOE", "MOA"))
    users = {
        "lead": UserFactory(agency=moh), "member": UserFactory(agency=moh),
        "stranger": UserFactory(agency=moa), "fund_manager": UserFactory(fund_manager=True),
        "hr_officer": UserFactory(hr_officer=True), "chair": UserFactory(agency=moe),
        "admin": UserFactory(is_staff=True, is_superuser=True),
        "other_lead": UserFactory(agency=moa),
    }
    fund = FundFactory()
    round_ = RoundFactory(fund=fund)
    Panel.objects.create(round=round_, name="Panel", chair=users["chair"])

    def proposal(lead=users["lead"], partners=(moe,), **kwargs):
        made = ProposalFactory(round=round_, lead=lead, partners=list(partners), **kwargs)
        if lead == users["lead"]:
            TeamMemberFactory(proposal=made, user=users["member"])
        return made

    draft = proposal(ready=True, title="Maternal health reminders by SMS",
                     summary="Send expecting mothers SMS reminders of antenatal visits.")
    in_review = proposal(in_review=True, title="Dengue mosquito breeding site mapping",
                         summary="Volunteers map stagnant water with a phone app.")
    funded = proposal(lead=users["other_lead"], partners=(moh,), funded=True,
                      title="Antenatal visit reminders for rural mothers",
                      summary="Mothers in remote gewogs receive SMS reminders before each "
                              "antenatal check-up.")
    award_for(funded, users["fund_manager"])
    others_draft = proposal(lead=users["other_lead"], partners=(moh,), ready=True,
                            title="Secret mothers reminders draft",
                            summary="A draft about antenatal reminders nobody else sees.")
    internal = LearningFactory(title="SMS reminders need a paper backup",
                               what_we_learned="Mothers without phones missed antenatal visits.")
    public = LearningFactory(public=True, title="Mosquito maps by volunteers",
                             what_we_learned="Volunteers kept mapping when the school joined.")
    return {**users, "users": users, "round": round_, "draft": draft, "in_review": in_review,
            "funded": funded, "others_draft": others_draft, "internal": internal,
            "public": public, "moh": moh, "moe": moe}
