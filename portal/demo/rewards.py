"""Demo data for rewards, added to an already seeded database (called by `seed_demo`).

Idempotent: each learning, recognition and nomination is looked up by a stable key
before it is created, so running it twice changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from people.models import User
from proposals.models import Proposal, TeamMember
from rewards import selectors, services
from rewards.models import Learning, Nomination, Recognition, Tag

from .shapes import say

DEMO_USERS = ("pema", "karma", "sonam", "dechen", "tashi")

LEARNINGS = [
    {
        "author": "pema", "kind": Learning.Kind.FAILURE, "visibility": Learning.Visibility.PUBLIC,
        "title": "SMS queue numbers did not shorten waits for older patients",
        "what_we_tried": "Patients at two district hospitals received their queue number by SMS "
                         "and could wait outside.",
        "what_happened": "Younger patients liked it; many older patients had no phone with them "
                         "and missed their call, so the average wait did not fall.",
        "what_we_learned": "Any digital queue needs a paper ticket and a voice call alongside it; "
                           "test with the oldest patients first.",
        "tags": ["health", "sms", "queues"],
    },
    {
        "author": "karma", "kind": Learning.Kind.SUCCESS, "visibility": Learning.Visibility.PUBLIC,
        "title": "Farmers co-designed the market price board",
        "what_we_tried": "Farmers and the agriculture office designed a price board together "
                         "for the weekend market.",
        "what_happened": "Prices were posted every Friday; farmers used them to bargain.",
        "what_we_learned": "When users design the board, they keep it up to date themselves.",
        "tags": ["agriculture", "co-design"],
    },
    {
        "author": "karma", "kind": Learning.Kind.MIXED, "visibility": Learning.Visibility.INTERNAL,
        "title": "Shared drivers between two ministries: cheaper, slower",
        "what_we_tried": "Two ministries pooled their drivers and vehicles for a quarter.",
        "what_happened": "Costs fell by a fifth; urgent trips waited longer.",
        "what_we_learned": "Keep one vehicle per ministry for urgent trips; pool the rest.",
        "tags": ["transport", "shared services"],
    },
    {
        "author": "pema", "kind": Learning.Kind.FAILURE, "visibility": Learning.Visibility.INTERNAL,
        "title": "An online permit form nobody finished",
        "what_we_tried": "A single online form replaced three paper forms for building permits.",
        "what_happened": "Nine in ten applicants stopped at the document upload step.",
        "what_we_learned": "Let applicants bring documents to the counter; put only the "
                           "questions online.",
        "tags": ["digital services", "permits"],
    },
]


def _proposal_of(user: User) -> Proposal | None:
    """A non-draft proposal the user is part of, preferring ones with an outcome."""
    mine = Q(lead=user) | Q(pk__in=TeamMember.objects.accepted().filter(user=user)
                            .values("proposal"))
    qs = Proposal.objects.filter(mine).exclude(state=Proposal.State.DRAFT)
    return (
        qs.filter(state__in=[Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED]).first()
        or qs.filter(state=Proposal.State.FUNDED).first()
    )


@transaction.atomic
def seed_rewards(stdout=None) -> None:
    """Learnings (failures among them), recognitions and nominations in every state."""
    users = {name: User.objects.filter(username=name).first() for name in DEMO_USERS}
    missing = [name for name, user in users.items() if user is None]
    if missing:
        say(stdout, f"Rewards demo: skipped, missing demo users {', '.join(missing)}.")
        return
    pema, karma, sonam, dechen, tashi = (users[n] for n in DEMO_USERS)
    if not (sonam.is_fund_manager and dechen.is_hr_officer):
        say(stdout, "Rewards demo: skipped, sonam must be a fund manager and dechen an HR officer.")
        return

    learnings = {}
    for spec in LEARNINGS:
        author = users[spec["author"]]
        existing = Learning.objects.filter(title=spec["title"]).first()
        if existing is None:
            existing = services.learning_create(
                actor=author, title=spec["title"], what_we_tried=spec["what_we_tried"],
                what_happened=spec["what_happened"], what_we_learned=spec["what_we_learned"],
                kind=spec["kind"], visibility=spec["visibility"], tags=spec["tags"],
                proposal=_proposal_of(author) if spec is LEARNINGS[0] else None,
            )
        learnings[spec["title"]] = existing

    first = learnings[LEARNINGS[0]["title"]]
    recognitions = [
        (pema, Recognition.Kind.LEARNING_CHAMPION,
         "For sharing openly why the SMS queue did not work, so that other hospitals "
         "could start from what was learned.", [first]),
        (tashi, Recognition.Kind.REVIEWER_SERVICE,
         "For careful, timely reviews across two rounds.", []),
        (karma, Recognition.Kind.COLLABORATION,
         "For bringing farmers and two agencies together on the market price board.",
         [learnings[LEARNINGS[1]["title"]]]),
    ]
    for recipient, kind, citation, linked in recognitions:
        if not Recognition.objects.filter(recipient=recipient, kind=kind).exists():
            services.recognition_award(
                actor=sonam, recipient=recipient, kind=kind, citation=citation,
                learnings=linked, awarded_on=timezone.localdate() - timedelta(days=30),
            )

    # One nomination per state; at most one open (nominated, endorsed) per person.
    plan = [
        ("granted", pema, karma, ["endorse", "grant"]),
        ("not_granted", karma, pema, ["endorse", "not_grant"]),
        ("withdrawn", pema, tashi, ["withdraw"]),
        ("endorsed", tashi, karma, ["endorse"]),
        ("nominated", karma, tashi, []),
    ]
    for key, nominee, nominator, steps in plan:
        marker = f"[demo:{key}]"
        if Nomination.objects.filter(justification__startswith=marker).exists():
            continue
        if Nomination.objects.filter(nominee=nominee, state__in=Nomination.OPEN_STATES).exists():
            continue
        nomination = services.nomination_create(
            actor=nominator, nominee=nominee,
            justification=f"{marker} {nominee} led cross-agency experiments and shared their "
                          "learnings, including from an experiment that did not work as hoped.",
            learnings=list(selectors.learnings_authored_by(nominee)),
        )
        for step in steps:
            actor = {"endorse": sonam, "grant": dechen, "not_grant": dechen,
                     "withdraw": nominator}[step]
            service = services.NOMINATION_TRANSITIONS[step]
            kwargs = {"reason": "No post at the next level is open this year; "
                                "please nominate again next cycle."} if step == "not_grant" else {}
            nomination = service(nomination=nomination, actor=actor, note="Demo", **kwargs)
    say(stdout, f"Rewards demo: {Learning.objects.count()} learnings, "
                 f"{Recognition.objects.count()} recognitions, "
                 f"{Nomination.objects.count()} nominations, {Tag.objects.count()} tags.")
