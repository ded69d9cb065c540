"""Demo data for funding decisions, awards, tranches and outcomes (issue 4), for
`manage.py seed_demo`.

The pilot round's experiments are where money has moved: one funded with tranches in
several states, one whose outcome did not work as hoped (reported, an honoured result),
one that succeeded and is closed with its award completed, one recommended and waiting
for the fund manager, one rejected and one declined. Every state is reached through the
services, acting as the demo users, so the history is the real transition log.

Two steps, because proposals are submitted only while their round is open:
`seed_pilot_proposals` drafts, submits and sends them to review before the pilot round
closes; `seed_funding_demo` then reviews, decides, funds, releases and reports. Each step
runs only from the state before it, so running either again creates nothing new.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fund.models import Award, Round, Tranche
from fund.services.awards import (
    proposal_decline,
    proposal_fund,
    tranche_release,
    tranche_report_milestone,
)
from people.models import Agency, User
from proposals.conflicts import conflict_reason
from proposals.models import Proposal
from proposals.services import (
    proposal_close,
    proposal_create,
    proposal_report_outcome,
    proposal_send_to_review,
    proposal_submit,
    team_member_accept,
)
from reviews import services as reviews
from reviews.models import Assignment, Panel, Review

from .shapes import PANEL_MEMBERS, proposal_text, say

S = Proposal.State
T = Tranche.State
PANEL_NAME = "Pilot 2025 review panel"
PANEL_CHAIR = "tashi"
MANAGER = "sonam"


@dataclass(frozen=True)
class Step:
    """A tranche of the award: amount, due (days from today), milestone, the state it ends in,
    and the milestone report when it ends `reported`."""

    amount: str
    due_in_days: int
    milestone: str
    state: str = T.SCHEDULED
    report: str = ""


@dataclass(frozen=True)
class Experiment:
    """A pilot-round proposal and how far it goes: `end` is the state it ends in."""

    lead: str
    title: str
    partners: tuple[str, ...]
    team: tuple[tuple[str, str], ...]
    budget: tuple[tuple[str, str, str], ...]  # (category, description, amount)
    duration_months: int
    text: dict
    end: str
    score: int  # what each reviewer gives on every criterion (the last one gets one more)
    decision: str  # the panel's rationale
    decline_reason: str = ""
    award: str = ""
    conditions: str = ""
    tranches: tuple[Step, ...] = ()
    outcome: dict = field(default_factory=dict)  # the report's fields and "by", the reporter


EXPERIMENTS = [
    Experiment(
        lead="pema", title="SMS queue numbers for outpatients at two district hospitals",
        partners=("GOVTECH", "MOHA"), team=(("karma", "SMS gateway and queue display"),),
        budget=(
            ("services", "Queue software and SMS messages for six months", "300000.00"),
            ("equipment", "Queue ticket printers and waiting-room displays", "150000.00"),
            ("evaluation", "Waiting-time measurement and patient interviews", "150000.00"),
        ),
        duration_months=6,
        text=proposal_text(
            "Outpatients get their queue number by SMS and may wait outside or at home until "
            "they are called.",
            "Outpatient waiting rooms at Punakha and Trashigang hospitals are crowded from dawn; "
            "patients wait three hours on average and cannot leave for fear of missing their turn.",
            "Patients who can follow their turn on the phone spend less time in the waiting room.",
            "Average time spent in the waiting room falls by at least 40% for all age groups, "
            "including patients over 60.",
            "Run SMS queue numbers at two hospitals for six months; compare waiting times with "
            "the three months before.",
            "Patients and nurses test the ticket and message wording in the waiting rooms.",
            "Shorter waits; a queue system every hospital can adopt.",
        ),
        end=S.OUTCOME_REPORTED, score=4,
        decision="A clear comparison and a simple service; the panel recommends funding it.",
        award="600000.00",
        conditions="Waiting times are measured for patients over 60 separately.",
        tranches=(
            Step("350000.00", -170, "Queue system running at both hospitals.", T.REPORTED,
                 "Running at both hospitals since the first week; 4,100 patients used it."),
            Step("250000.00", -80, "Six months of waiting-time data analysed.", T.REPORTED,
                 "Data analysed with the National Statistics Bureau; results shared with "
                 "both hospitals."),
        ),
        outcome={
            "by": "karma", "result": "did_not_succeed", "amount_spent": "585000.00",
            "summary": "Younger patients liked the SMS and waited outside; many older patients "
                       "had no phone with them and missed their call, so the average wait did "
                       "not fall.",
            "indicators": "Average time in the waiting room fell by 9% overall (target 40%) "
                          "and rose by 6% for patients over 60.",
            "citizen_feedback": "“I left my phone at home; nobody called my name.” Nurses asked "
                                "for the paper tickets to come back alongside the SMS.",
            "next_step": "iterate",
        },
    ),
    Experiment(
        lead="kinley", title="Paying Thromde property tax and water bills online",
        partners=("GOVTECH", "MOHA"), team=(("karma", "Payment gateway integration"),),
        budget=(
            ("services", "Payment gateway and bank integration", "450000.00"),
            ("engagement", "Help desks at the Thromde office and in two neighbourhoods",
             "200000.00"),
            ("evaluation", "Counting queue time saved and payments on time", "150000.00"),
        ),
        duration_months=9,
        text=proposal_text(
            "Residents of Thimphu pay property tax and water bills online or by mobile banking "
            "instead of queueing at the Thromde office.",
            "Residents queue for hours at one counter each quarter; one bill in four is paid late.",
            "Paying online, with a reminder, makes on-time payment easier than queueing.",
            "At least half of all bills paid online within six months, and late payments fall "
            "by a third.",
            "Connect the Thromde's billing system to the national payment gateway; send "
            "reminders by SMS; keep the counter open.",
            "Residents test the payment steps at neighbourhood help desks before launch.",
            "Less queueing, fewer late payments, a pattern for other thromdes.",
        ),
        end=S.CLOSED, score=5,
        decision="Strong evidence of demand and a careful roll-out; recommended for funding.",
        award="750000.00",
        conditions="The payment gateway is shared with other thromdes at no extra cost.",
        tranches=(
            Step("450000.00", -180, "Online payment live for all residents.", T.REPORTED,
                 "Live since the second month; the counter stays open for those who prefer it."),
            Step("300000.00", -90, "Six months of payment data and a hand-over plan.", T.REPORTED,
                 "58% of bills paid online; hand-over plan agreed with Phuentsholing Thromde."),
        ),
        outcome={
            "by": "kinley", "result": "succeeded", "amount_spent": "742500.00",
            "summary": "Most residents now pay online; the queue at the counter has all but "
                       "disappeared outside the last week of each quarter.",
            "indicators": "58% of bills paid online after six months (target 50%); late "
                          "payments fell from 25% to 14% (target: a third fewer).",
            "citizen_feedback": "Residents asked for receipts by SMS, now added; older residents "
                                "value the counter staying open.",
            "next_step": "scale_up",
        },
    ),
    Experiment(
        lead="pema", title="A mother-and-child health handbook on the phone",
        partners=("GOVTECH", "PDA"), team=(("karma", "App and registry link"),),
        budget=(
            ("services", "App development and hosting", "350000.00"),
            ("equipment", "Tablets for health assistants in six BHUs", "200000.00"),
            ("engagement", "Testing sessions with mothers' groups", "200000.00"),
            ("evaluation", "Comparison of antenatal visits with other BHUs", "150000.00"),
        ),
        duration_months=12,
        text=proposal_text(
            "The mother-and-child health handbook also lives on the parent's phone, with visit "
            "dates and vaccination records kept up to date by the health assistant.",
            "Parents lose the paper handbook, and with it their children's vaccination records.",
            "A handbook on the phone that updates itself is kept and used more than paper.",
            "Four antenatal visits completed by at least 85% of mothers in the pilot BHUs "
            "(70% now), and no records lost.",
            "Six BHUs in Punakha use the app for a year alongside the paper handbook.",
            "Mothers' groups choose what the app shows first and test every screen.",
            "Better antenatal care; records that follow the child.",
        ),
        end=S.FUNDED, score=4,
        decision="A well-designed pilot with a fair comparison; recommended.",
        award="900000.00",
        tranches=(
            Step("300000.00", -150, "App live in six BHUs.", T.REPORTED,
                 "Live in all six BHUs; 420 mothers registered in the first three months."),
            Step("350000.00", -30, "Mid-term review of antenatal visits.", T.RELEASED),
            Step("250000.00", 60, "Final evaluation and recommendation to the ministry."),
        ),
    ),
    Experiment(
        lead="namgay", title="Voice messages with weather and market prices for farmers",
        partners=("GOVTECH", "MOHA"), team=(("karma", "Voice message platform"),),
        budget=(
            ("services", "Voice message platform and call charges", "250000.00"),
            ("staff", "Extension officers recording messages in Dzongkha and Sharchopkha",
             "100000.00"),
            ("evaluation", "Survey of crop losses and prices obtained", "100000.00"),
        ),
        duration_months=9,
        text=proposal_text(
            "Farmers get a short voice message each week with the weather forecast and market "
            "prices, in their own language.",
            "Farmers who cannot read SMS sell below market price and lose crops to late frost.",
            "Voice messages reach farmers that text messages miss.",
            "Farmers in the pilot gewogs obtain prices at least 10% closer to the market price, "
            "and report fewer frost losses.",
            "Extension officers record weekly messages; the platform calls registered farmers.",
            "Farmers choose the day and time of the call and what it covers.",
            "Better prices and fewer losses; a channel for other advice.",
        ),
        end=S.RECOMMENDED, score=4,
        decision="A simple, inclusive idea with a measurable result; recommended.",
    ),
    Experiment(
        lead="sangay", title="Sign-language video calls at civil registration counters",
        partners=("GOVTECH", "TARAYANA"), team=(("karma", "Video calling set-up"),),
        budget=(
            ("services", "Video calling service and interpreters' time", "300000.00"),
            ("equipment", "Tablets and stands for four counters", "100000.00"),
            ("evaluation", "Interviews with deaf citizens and counter staff", "100000.00"),
        ),
        duration_months=6,
        text=proposal_text(
            "Deaf citizens talk to counter staff through a sign-language interpreter on a "
            "video call.",
            "Deaf citizens need a relative to interpret at the counter, or cannot come alone.",
            "An interpreter on video lets deaf citizens use counter services on their own.",
            "At least 80% of deaf citizens who use the service complete their errand alone.",
            "Four counters in Thimphu, with interpreters on call during opening hours.",
            "Deaf citizens and the interpreters design the call steps with counter staff.",
            "Services deaf citizens can use on their own.",
        ),
        end=S.DECLINED, score=4,
        decision="A clear need and a good plan; recommended.",
        decline_reason="The pilot round's remaining budget is kept for the farmers' voice "
                       "messages, which the panel ranked higher. Please apply again in Round "
                       "2026, ideally with a disabled people's organisation as co-designer.",
    ),
    Experiment(
        lead="deki", title="A chatbot for school admission questions",
        partners=("GOVTECH", "TT"), team=(("karma", "Chatbot development"),),
        budget=(
            ("services", "Chatbot development and hosting", "300000.00"),
            ("evaluation", "Counting calls and visits to school offices", "100000.00"),
        ),
        duration_months=6,
        text=proposal_text(
            "Parents ask a chatbot about school admissions instead of calling the school.",
            "School offices are flooded with the same questions every January.",
            "A chatbot answers most admission questions without a call.",
            "Calls to the pilot schools in January fall by half.",
            "Build a chatbot on the Thromde's website with the admission rules.",
            "A group of parents tests the chatbot before January.",
            "Fewer calls; parents get answers at any hour.",
        ),
        end=S.REJECTED, score=2,
        decision="The questions change every year and the plan does not say who keeps the "
                 "answers up to date; a published FAQ may do as much for less. Not recommended.",
    ),
]

TITLES = [e.title for e in EXPERIMENTS]
FUNDED_STATES = (S.FUNDED, S.OUTCOME_REPORTED, S.CLOSED)


# --- before the pilot round closes ------------------------------------------------------------
def seed_pilot_proposals(*, round_: Round, users: dict[str, User],
                         agencies: dict[str, Agency], stdout=None) -> list[Proposal]:
    """Draft, submit and send to review the pilot round's experiments that do not exist yet;
    only while the round takes proposals."""
    missing = [e for e in EXPERIMENTS if not Proposal.objects.filter(title=e.title).exists()]
    if missing and not round_.is_accepting_proposals:
        say(stdout, "Funding demo: the pilot round is already closed, so its experiments cannot "
                     "be submitted; recreate the demo database to see them.")
        return []
    created = []
    for spec in missing:
        lead = users[spec.lead]
        requested = sum((Decimal(amount) for _, _, amount in spec.budget), Decimal("0.00"))
        proposal = proposal_create(
            actor=lead, round_=round_, title=spec.title, requested_amount=requested,
            duration_months=spec.duration_months,
            partner_agencies=[agencies[code] for code in spec.partners],
            team=[{"user": users[u], "role": role} for u, role in spec.team],
            budget_lines=[{"category": c, "description": d, "amount": a}
                          for c, d, a in spec.budget],
            **spec.text,
        )
        for member in proposal.team.all():  # the colleagues accept their invitations
            team_member_accept(actor=member.user, member=member, note="Glad to join.")
        proposal = proposal_submit(proposal=proposal, actor=lead)
        proposal = proposal_send_to_review(proposal=proposal, actor=users[MANAGER],
                                           note="Eligible; for the pilot round's panel.")
        created.append(proposal)
    return created


# --- after it closes: reviews, decisions, money and outcomes -------------------------------------
def _panel(round_: Round, users: dict[str, User]) -> Panel:
    panel = Panel.objects.filter(round=round_, name=PANEL_NAME).first()
    if panel is None:
        panel = reviews.panel_create(
            actor=users[MANAGER], round_=round_, name=PANEL_NAME, chair=users[PANEL_CHAIR],
            members=[users[u] for u in PANEL_MEMBERS],
        )
    return panel


def _review(proposal: Proposal, spec: Experiment, panel: Panel, users: dict[str, User]) -> None:
    """Enough unconflicted panel members review the proposal, all scoring it `spec.score`."""
    needed = proposal.round.reviews_required
    assigned = set(proposal.assignments.values_list("reviewer__username", flat=True))
    free = [u for u in PANEL_MEMBERS
            if u not in assigned and conflict_reason(users[u], proposal) is None]
    for username in free[:max(0, needed - len(assigned))]:
        reviews.assignment_create(actor=users[PANEL_CHAIR], proposal=proposal,
                                  reviewer=users[username], panel=panel,
                                  due_on=timezone.localdate() + timedelta(days=14))
    criteria = list(proposal.round.criteria.order_by("pk"))
    recommendation = (Review.Recommendation.FUND if spec.score >= 3
                      else Review.Recommendation.DO_NOT_FUND)
    for assignment in proposal.assignments.filter(state=Assignment.State.ASSIGNED).select_related(
            "reviewer"):
        scores = [{"criterion": c.pk, "value": min(c.max_score, spec.score + (i == 0))}
                  for i, c in enumerate(criteria)]
        reviews.assignment_submit_review(
            assignment=assignment, actor=assignment.reviewer, note="Demo review.",
            review={"scores": scores, "recommendation": recommendation,
                    "comment_to_applicant": "Thank you for a clear proposal. " + spec.decision,
                    "comment_to_panel": f"Scored {spec.score} of 5 on most criteria."},
        )


def _tranches(award, spec: Experiment, users: dict[str, User]) -> None:
    """Walk each tranche, in order, to the state the demo shows it in."""
    manager, reporter = users[MANAGER], users[spec.lead]
    for step, tranche in zip(spec.tranches, award.tranches.order_by("sequence"), strict=True):
        if step.state == T.SCHEDULED:
            break  # a tranche after it cannot have moved either
        if tranche.state == T.SCHEDULED:
            tranche = tranche_release(tranche=tranche, actor=manager, note="Demo release.")
        if step.state == T.REPORTED and tranche.state == T.RELEASED:
            tranche_report_milestone(tranche=tranche, actor=reporter,
                                     milestone_report=step.report)


def _advance(proposal: Proposal, spec: Experiment, panel: Panel, users: dict[str, User]) -> None:
    """Take the proposal from wherever it is to `spec.end`; steps already taken are skipped."""
    manager, chair = users[MANAGER], users[PANEL_CHAIR]
    if proposal.state == S.IN_REVIEW:
        _review(proposal, spec, panel, users)
        decide = reviews.proposal_reject if spec.end == S.REJECTED else reviews.proposal_recommend
        proposal = decide(proposal=proposal, actor=chair, rationale=spec.decision)
    if proposal.state == S.RECOMMENDED and spec.end == S.DECLINED:
        proposal = proposal_decline(proposal=proposal, actor=manager, reason=spec.decline_reason)
    if proposal.state == S.RECOMMENDED and spec.end in FUNDED_STATES:
        today = timezone.localdate()
        # A tranche is never due before its award: the award is made as if the demo's past
        # had happened, then its dates are moved back to where the story puts them.
        shift = max(0, -min(s.due_in_days for s in spec.tranches))
        award = proposal_fund(
            proposal=proposal, actor=manager, amount=Decimal(spec.award),
            conditions=spec.conditions, note="Funded from the pilot round's budget.",
            tranches=[{"amount": s.amount,
                       "due_on": today + timedelta(days=s.due_in_days + shift),
                       "milestone": s.milestone} for s in spec.tranches],
        )
        if shift:
            Award.objects.filter(pk=award.pk).update(
                approved_at=F("approved_at") - timedelta(days=shift))
            Tranche.objects.filter(award=award).update(due_on=F("due_on") - timedelta(days=shift))
        proposal.refresh_from_db()
    if proposal.state in FUNDED_STATES:
        _tranches(proposal.award, spec, users)
    if proposal.state == S.FUNDED and spec.outcome:
        report = dict(spec.outcome)
        reporter = users[report.pop("by")]
        report["amount_spent"] = Decimal(report["amount_spent"])
        proposal = proposal_report_outcome(proposal=proposal, actor=reporter, **report)
    if proposal.state == S.OUTCOME_REPORTED and spec.end == S.CLOSED:
        proposal_close(proposal=proposal, actor=manager,
                       note="Outcome report accepted; the experiment scales up.")


@transaction.atomic
def seed_funding_demo(*, round_: Round, users: dict[str, User], stdout=None) -> dict[str, int]:
    """Review, decide, fund and report the pilot round's experiments, each to its demo state."""
    proposals = {p.title: p for p in Proposal.objects.filter(round=round_, title__in=TITLES)}
    if not proposals:
        return {}
    panel = _panel(round_, users)
    # One at a time, in the order of EXPERIMENTS: the funded ones come first, so the pilot's
    # remaining budget is what is left for the recommended one.
    for spec in EXPERIMENTS:
        if spec.title in proposals:
            _advance(proposals[spec.title], spec, panel, users)
    counts = {state: Proposal.objects.filter(round=round_, title__in=TITLES, state=state).count()
              for state in {e.end for e in EXPERIMENTS}}
    say(stdout, "Funding demo: " + ", ".join(
        f"{n} {S(state).label.lower()}" for state, n in sorted(counts.items())) + ".")
    return counts
