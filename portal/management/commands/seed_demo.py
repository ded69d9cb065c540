"""`manage.py seed_demo`: a Bhutanese demo of the innovation fund, one login per role.

Everything is keyed by a natural key (agency code, username, fund and round slug, panel
name, proposal title), so running the command again creates nothing new. States are
reached through the services, so each proposal's history is the real transition log.

Later issues extend the demo: add a `seed_*` function and call it from `Command.handle`.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from fund.models import Contribution, Fund, Round
from fund.services import contribution_create, fund_create, round_close, round_create, round_open
from fund.services.funds import round_update
from people.factories import PASSWORD
from people.models import FUND_MANAGERS, HR_OFFICERS, Agency, User
from people.services import agency_get_or_create, user_get_or_create
from portal.demo.funding import seed_funding_demo, seed_pilot_proposals
from portal.demo.shapes import PANEL_MEMBERS, proposal_text
from proposals.models import Proposal
from proposals.services import (
    proposal_create,
    proposal_request_revision,
    proposal_screen_out,
    proposal_send_to_review,
    proposal_submit,
    proposal_withdraw,
    team_member_accept,
)
from reviews.models import Panel

K = Agency.Kind

AGENCIES = [
    ("MOH", "Ministry of Health", K.MINISTRY),
    ("MOESD", "Ministry of Education and Skills Development", K.MINISTRY),
    ("MOAL", "Ministry of Agriculture and Livestock", K.MINISTRY),
    ("MOF", "Ministry of Finance", K.MINISTRY),
    ("MOHA", "Ministry of Home Affairs", K.MINISTRY),
    ("MOICE", "Ministry of Industry, Commerce and Employment", K.MINISTRY),
    ("MOIT", "Ministry of Infrastructure and Transport", K.MINISTRY),
    ("GOVTECH", "GovTech Agency", K.AGENCY),
    ("RCSC", "Royal Civil Service Commission", K.AGENCY),
    ("NSB", "National Statistics Bureau", K.AGENCY),
    ("TT", "Thimphu Thromde", K.THROMDE),
    ("PDA", "Punakha Dzongkhag Administration", K.DZONGKHAG),
    ("TDA", "Trashigang Dzongkhag Administration", K.DZONGKHAG),
    ("TARAYANA", "Tarayana Foundation", K.CSO),
]


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    agency: str | None
    employee_id: str | None
    position_title: str
    position_level: str
    role: str = ""  # shown in the printed logins; empty: a colleague, not a role login
    groups: tuple[str, ...] = ()
    is_superuser: bool = False


PEOPLE = [
    Person("pema", "Pema", "Choden", "MOH", "EID-10421", "Chief Programme Officer", "P1",
           role="Civil servant: lead of several proposals (MOH)"),
    Person("karma", "Karma", "Dorji", "GOVTECH", "EID-11307", "ICT Officer", "P3",
           role="Civil servant: team member on proposals (GovTech)"),
    Person("sonam", "Sonam", "Tshering", "MOF", "EID-09815", "Fund Manager", "P2",
           role="Fund manager (MOF)", groups=(FUND_MANAGERS,)),
    Person("dechen", "Dechen", "Wangmo", "RCSC", "EID-10077", "HR Officer", "P2",
           role="HR officer (RCSC)", groups=(HR_OFFICERS,)),
    Person("tashi", "Tashi", "Namgyel", "NSB", "EID-08763", "Chief Statistical Officer", "EX3",
           role="Reviewer and panel chair (NSB)"),
    Person("admin", "System", "Administrator", None, None, "Administrator", "",
           role="Administrator (Django admin at /admin/)", is_superuser=True),
    Person("deki", "Deki", "Yangzom", "MOESD", "EID-11982", "Education Officer", "P3"),
    Person("namgay", "Namgay", "Dorji", "MOAL", "EID-12240", "Horticulture Officer", "P4"),
    Person("kinley", "Kinley", "Wangchuk", "TT", "EID-12655", "Urban Planner", "P3"),
    Person("sangay", "Sangay", "Choden", "MOHA", "EID-10934", "Civil Registration Officer", "P3"),
    Person("ugyen", "Ugyen", "Lhamo", "MOICE", "EID-09552", "Senior Economist", "P1"),
    Person("jigme", "Jigme", "Norbu", "TDA", "EID-10318", "Dzongkhag Planning Officer", "P2"),
    Person("yangchen", "Yangchen", "Pelmo", "MOIT", "EID-11460", "Senior Engineer", "P2"),
]

FUND = {
    "slug": "gnh-innovation-fund",
    "name": "Gross National Happiness Innovation Fund",
    "organisation": "Royal Government of Bhutan",
    "description": (
        "A cross-sectoral fund several ministries pay into, for civil servants who want to test "
        "new ways of serving citizens together with colleagues from other agencies. Experiments "
        "that do not work as hoped are honoured for what they teach."
    ),
}
# (agency code, amount, days ago, note): one contribution per agency.
CONTRIBUTIONS = [
    ("MOF", "20000000.00", 120, "Annual allocation from the Innovation budget head, FY 2025-26."),
    ("MOH", "5000000.00", 100, "Health sector innovation window."),
    ("MOESD", "3500000.00", 90, "Education innovation window."),
    ("MOAL", "2500000.00", 80, "RNR sector contribution."),
    ("GOVTECH", "2000000.00", 60, "Digital public services contribution."),
]

OPEN_ROUND = "round-2026-services-closer-to-citizens"
PILOT_ROUND = "pilot-2025-digital-public-services"
DRAFT_ROUND = "round-2027-climate-resilient-livelihoods"


@dataclass(frozen=True)
class Demo:
    """A demo proposal and the transitions that bring it to its state."""

    round: str
    lead: str
    title: str
    partners: tuple[str, ...]
    team: tuple[tuple[str, str], ...]
    budget: tuple[tuple[str, str, str], ...]  # (category, description, amount)
    duration_months: int
    text: dict
    path: tuple[str, ...] = ()  # transition names, in order
    notes: dict = field(default_factory=dict)  # transition name -> note/reason/message


PROPOSALS = [
    Demo(
        round=OPEN_ROUND, lead="pema",
        title="SMS reminders for childhood immunisation in Punakha",
        partners=("GOVTECH", "PDA"),
        team=(("karma", "Messaging platform lead"),),
        budget=(
            ("services", "SMS gateway and message delivery for 18 months", "400000.00"),
            ("engagement", "Co-design sessions with mothers' groups in six gewogs", "250000.00"),
            ("evaluation", "Comparison of on-time vaccination with the registry", "200000.00"),
        ),
        duration_months=9,
        text=proposal_text(
            "Send parents SMS reminders in Dzongkha and English before each vaccination is due.",
            "One child in eight in Punakha misses a scheduled vaccination by more than a month, "
            "mostly because parents lose the mother-and-child health handbook or forget the date.",
            "A reminder three days before and on the due date raises on-time vaccination.",
            "On-time vaccination at 12 months rises from 84% to at least 92% in the pilot gewogs, "
            "compared with the other gewogs over the same months.",
            "Link the immunisation registry to GovTech's messaging gateway; run in six gewogs, "
            "keep five as comparison; review monthly with health assistants.",
            "Mothers' groups write and test the wording and choose when messages are sent.",
            "Higher on-time coverage; a reminder service other dzongkhags can switch on.",
        ),
    ),
    Demo(
        round=OPEN_ROUND, lead="pema",
        title="Telemedicine consultation booths at gewog centres",
        partners=("GOVTECH", "MOHA"),
        team=(("karma", "Connectivity and booth set-up"),),
        budget=(
            ("equipment", "Four booths: screens, cameras, diagnostic kits", "1100000.00"),
            ("staff", "Allowances for health assistants staffing the booths", "450000.00"),
            ("travel", "Specialists' visits to train health assistants", "300000.00"),
            ("evaluation", "Patient follow-up survey and cost comparison", "350000.00"),
        ),
        duration_months=12,
        text=proposal_text(
            "Booths at four gewog centres where patients see a specialist at the national "
            "referral hospital by video, with a health assistant beside them.",
            "Patients from remote gewogs travel two days to Thimphu for a ten-minute consultation.",
            "Supported video consultations resolve most follow-up visits without travel.",
            "At least 60% of follow-up consultations in the pilot gewogs happen by video, with "
            "patient satisfaction no lower than in person.",
            "Install booths in gewog centre offices run by MOHA; GovTech provides connectivity; "
            "JDWNRH specialists hold weekly video clinics.",
            "Gewog tshogpas and patients choose the booth locations and clinic hours.",
            "Fewer trips to Thimphu; a tested model for every gewog centre.",
        ),
        path=("submit",),
    ),
    Demo(
        round=OPEN_ROUND, lead="pema",
        title="Village health workers screening for diabetes and hypertension",
        partners=("MOAL", "MOHA"),
        team=(("karma", "Tablet app for screening records"),
              ("namgay", "Nutrition and local food adviser")),
        budget=(
            ("staff", "Training and allowances for 40 village health workers", "600000.00"),
            ("equipment", "Glucometers, blood-pressure monitors and test strips", "450000.00"),
            ("engagement", "Community cooking demonstrations with local produce", "300000.00"),
            ("evaluation", "Baseline and end-line screening survey", "300000.00"),
        ),
        duration_months=12,
        text=proposal_text(
            "Village health workers screen adults at home and refer those at risk.",
            "Most diabetes and hypertension is found late, at the hospital, with complications.",
            "Home screening by trusted village health workers finds cases earlier.",
            "Twice as many new cases found at an early stage as in the previous year, and 70% "
            "of those referred attend the BHU within a month.",
            "Train volunteers, equip them, record results on a simple tablet app, refer to BHUs.",
            "Villagers choose screening days; recipes for cooking demonstrations come from them.",
            "Earlier diagnosis; a screening routine the health ministry can scale.",
        ),
        path=("submit", "send_to_review"),
        notes={"send_to_review": "Eligible: three agencies, budget within the round's cap."},
    ),
    Demo(
        round=OPEN_ROUND, lead="pema",
        title="School kitchen gardens for nutritious mid-day meals",
        partners=("MOESD", "MOAL"),
        team=(("deki", "School liaison"), ("namgay", "Horticulture extension")),
        budget=(
            ("equipment", "Seeds, tools and drip irrigation for 12 schools", "350000.00"),
            ("staff", "Part-time garden coordinators", "250000.00"),
            ("engagement", "Parents' and students' garden days", "300000.00"),
            ("evaluation", "Measurement of meal diversity and pupils' growth", "150000.00"),
            ("travel", "Extension officers' school visits", "150000.00"),
        ),
        duration_months=18,
        text=proposal_text(
            "Students, parents and extension officers grow vegetables for school meals.",
            "School meals rely on rice and a few bought vegetables; stunting persists in rural "
            "schools.",
            "Gardens run with parents make school meals more diverse at lower cost.",
            "Meals in the pilot schools include at least four food groups on four days out of "
            "five, and vegetable purchases fall by a third.",
            "Twelve schools in three dzongkhags; extension officers advise on crops and water.",
            "Parents and students plan the gardens, choose crops and share the harvest.",
            "More diverse meals; a guide for schools nationwide.",
        ),
        path=("submit", "send_to_review", "request_revision"),
        notes={
            "send_to_review": "Eligible; for the panel.",
            "request_revision": (
                "The panel likes the idea. Please say how you will measure nutrition (not only "
                "garden yields), and explain why all 12 schools need drip irrigation."
            ),
        },
    ),
    Demo(
        round=OPEN_ROUND, lead="deki",
        title="Tablet-based early-grade reading assessment",
        partners=("GOVTECH",),
        team=(("karma", "App development"),),
        budget=(
            ("equipment", "Tablets for 200 primary schools", "2000000.00"),
            ("services", "Assessment app licences", "250000.00"),
            ("evaluation", "Validation against paper assessments", "150000.00"),
        ),
        duration_months=12,
        text=proposal_text(
            "Teachers assess pupils' reading on tablets and get instant results.",
            "Paper reading assessments take weeks to mark and results arrive too late to help.",
            "Instant results lead teachers to give struggling readers help sooner.",
            "Struggling readers get targeted support within two weeks of the assessment.",
            "Buy tablets for 200 schools and install an assessment app.",
            "Teachers test the app in two schools before roll-out.",
            "Faster feedback on reading to teachers and parents.",
        ),
        path=("submit", "screen_out"),
        notes={"screen_out": (
            "Most of the budget buys tablets for routine use; the fund pays for experiments, not "
            "capital equipment. A smaller pilot is welcome in the next round."
        )},
    ),
    Demo(
        round=OPEN_ROUND, lead="kinley",
        title="Citizen reporting of broken streetlights and potholes by WhatsApp",
        partners=("GOVTECH", "MOIT"),
        team=(("karma", "Chatbot integration"), ("yangchen", "Road maintenance liaison")),
        budget=(
            ("services", "WhatsApp business messaging and chatbot set-up", "300000.00"),
            ("staff", "Dispatcher allowances", "180000.00"),
            ("evaluation", "Repair-time tracking and resident survey", "120000.00"),
        ),
        duration_months=6,
        text=proposal_text(
            "Residents report faults with a photo and location on WhatsApp and see the repair.",
            "Faults are reported by phone, get lost, and residents never hear back.",
            "A photo report with status updates halves the time to repair.",
            "Median repair time for reported faults falls from 21 to 10 days.",
            "A chatbot routes reports to the Thromde's maintenance teams and MOIT for highways.",
            "Residents of two zones test the chatbot and its messages.",
            "Faster repairs; a reporting channel other thromdes can adopt.",
        ),
        path=("submit", "withdraw"),
        notes={"withdraw": "Thimphu Thromde will fund this from its own ICT budget this year."},
    ),
    Demo(
        round=PILOT_ROUND, lead="sangay",
        title="Appointment booking for census and citizenship services",
        partners=("GOVTECH", "TT"),
        team=(("karma", "Booking system"), ("pema", "Service design mentor")),
        budget=(
            ("services", "Booking system configuration and SMS confirmations", "450000.00"),
            ("engagement", "Service-design sessions with people in the queue", "150000.00"),
            ("evaluation", "Waiting-time measurement before and after", "100000.00"),
        ),
        duration_months=6,
        text=proposal_text(
            "People book a slot online or by phone for census and citizenship services.",
            "People queue from dawn at the civil registration counters in Thimphu.",
            "Booked slots cut the time spent waiting without reducing the number served.",
            "Average time at the office falls from three hours to under 45 minutes.",
            "Run booking for half the counters for three months; compare with the other half.",
            "People in the queue and counter staff design the booking steps together.",
            "Shorter waits; a booking pattern for other counter services.",
        ),
        path=("submit", "send_to_review"),
        notes={"send_to_review": "Eligible; for the pilot round's panel."},
    ),
]

PANEL_NAME = "Round 2026 review panel"


def seed_agencies() -> dict[str, Agency]:
    agencies = {}
    for code, name, kind in AGENCIES:
        agencies[code], _ = agency_get_or_create(code=code, name=name, kind=kind)
    return agencies


def seed_people(agencies: dict[str, Agency]) -> dict[str, User]:
    users = {}
    for p in PEOPLE:
        users[p.username], _ = user_get_or_create(
            username=p.username, password=PASSWORD, first_name=p.first_name,
            last_name=p.last_name, email=f"{p.username}@demo.gov.bt",
            agency=agencies[p.agency] if p.agency else None, employee_id=p.employee_id,
            position_title=p.position_title, position_level=p.position_level,
            groups=p.groups, is_superuser=p.is_superuser,
        )
    return users


def seed_fund(users: dict[str, User], agencies: dict[str, Agency]) -> Fund:
    manager = users["sonam"]
    fund = Fund.objects.filter(slug=FUND["slug"]).first()
    if fund is None:
        fund = fund_create(actor=manager, **FUND)
    today = timezone.localdate()
    for code, amount, days_ago, note in CONTRIBUTIONS:
        if not Contribution.objects.filter(fund=fund, agency=agencies[code]).exists():
            contribution_create(actor=manager, fund=fund, agency=agencies[code],
                                amount=Decimal(amount), note=note,
                                received_on=today - timedelta(days=days_ago))
    return fund


def _round(slug: str, fund: Fund, manager: User, **fields) -> tuple[Round, bool]:
    existing = Round.objects.filter(slug=slug).first()
    if existing:
        return existing, False
    return round_create(actor=manager, fund=fund, slug=slug, **fields), True


def seed_rounds(fund: Fund, users: dict[str, User]) -> dict[str, Round]:
    """An open round, a draft one that opens later, and a pilot round that is closed
    (its proposals are seeded while it is open, then it closes: see `close_pilot_round`)."""
    manager, now = users["sonam"], timezone.now()
    open_round, created = _round(
        OPEN_ROUND, fund, manager, title="Round 2026: Services closer to citizens",
        description="Experiments that bring public services closer to people in every "
                    "dzongkhag, designed with the citizens who use them.",
        opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=60),
        budget=Decimal("15000000.00"), max_award=Decimal("2500000.00"),
    )
    if created:
        open_round = round_open(round_=open_round, actor=manager, note="Call published.")
    pilot, created = _round(
        PILOT_ROUND, fund, manager, title="Pilot 2025: Digital public services",
        description="The fund's first, smaller round.",
        opens_at=now - timedelta(days=200), closes_at=now + timedelta(days=1),
        budget=Decimal("3000000.00"), max_award=Decimal("1000000.00"),
    )
    if created:
        pilot = round_open(round_=pilot, actor=manager, note="Pilot call published.")
    draft, _ = _round(
        DRAFT_ROUND, fund, manager, title="Round 2027: Climate-resilient livelihoods",
        description="Being prepared: experiments with farmers and herders on climate risks.",
        opens_at=now + timedelta(days=120), closes_at=now + timedelta(days=210),
        budget=Decimal("12000000.00"), max_award=Decimal("2000000.00"),
    )
    return {OPEN_ROUND: open_round, PILOT_ROUND: pilot, DRAFT_ROUND: draft}


def close_pilot_round(rounds: dict[str, Round], users: dict[str, User]) -> None:
    """The pilot round's closing date is in the past: it closes as it would by itself."""
    pilot = rounds[PILOT_ROUND]
    if pilot.state != Round.State.OPEN:
        return
    pilot = round_update(actor=users["sonam"], round_=pilot,
                         closes_at=timezone.now() - timedelta(days=120))
    rounds[PILOT_ROUND] = round_close(round_=pilot, actor=None, system=True,
                                      note="Closed automatically at its closing date.")


def seed_panel(rounds: dict[str, Round], users: dict[str, User]) -> Panel:
    """The open round's panel: chaired by tashi, members from four agencies."""
    panel, _ = Panel.objects.get_or_create(
        round=rounds[OPEN_ROUND], name=PANEL_NAME, defaults={"chair": users["tashi"]}
    )
    missing = [users[u] for u in PANEL_MEMBERS if not panel.members.filter(pk=users[u].pk).exists()]
    if missing:
        panel.members.add(*missing)
    return panel


def _actor_for(name: str, demo: Demo, users: dict[str, User]) -> User:
    if name in ("submit", "withdraw"):
        return users[demo.lead]
    if name == "request_revision":
        return users["tashi"]
    return users["sonam"]


def seed_proposal(demo: Demo, rounds: dict[str, Round], users: dict[str, User],
                  agencies: dict[str, Agency]) -> Proposal | None:
    """Create one demo proposal and walk it to its state; None if it exists already."""
    if Proposal.objects.filter(title=demo.title).exists():
        return None
    lead = users[demo.lead]
    requested = sum((Decimal(amount) for _, _, amount in demo.budget), Decimal("0.00"))
    proposal = proposal_create(
        actor=lead, round_=rounds[demo.round], title=demo.title,
        requested_amount=requested, duration_months=demo.duration_months,
        partner_agencies=[agencies[c] for c in demo.partners],
        team=[{"user": users[u], "role": role} for u, role in demo.team],
        budget_lines=[{"category": c, "description": d, "amount": a} for c, d, a in demo.budget],
        **demo.text,
    )
    if demo.path:  # colleagues accept their invitations; a draft's stay open to answer
        for member in proposal.team.all():
            team_member_accept(actor=member.user, member=member, note="Glad to join.")
    steps = {
        "submit": lambda actor, note: proposal_submit(proposal=proposal, actor=actor, note=note),
        "withdraw": lambda actor, note: proposal_withdraw(proposal=proposal, actor=actor,
                                                          note=note),
        "screen_out": lambda actor, note: proposal_screen_out(proposal=proposal, actor=actor,
                                                              reason=note),
        "send_to_review": lambda actor, note: proposal_send_to_review(
            proposal=proposal, actor=actor, note=note),
        "request_revision": lambda actor, note: proposal_request_revision(
            proposal=proposal, actor=actor, message=note),
    }
    for name in demo.path:
        proposal = steps[name](_actor_for(name, demo, users), demo.notes.get(name, ""))
    return proposal


def seed_proposals(rounds, users, agencies) -> list[Proposal]:
    created = []
    for demo in PROPOSALS:
        proposal = seed_proposal(demo, rounds, users, agencies)
        if proposal is not None:
            created.append(proposal)
    return created


def print_logins(stdout) -> None:
    stdout.write(f"\nDemo logins (password for every one: {PASSWORD})\n")
    width = max(len(p.username) for p in PEOPLE)
    for p in PEOPLE:
        if p.role:
            stdout.write(f"  {p.username.ljust(width)}  {p.role}")
    others = ", ".join(p.username for p in PEOPLE if not p.role)
    stdout.write(f"  Colleagues on teams and the panel (same password): {others}\n")


class Command(BaseCommand):
    help = "Create the demo: Bhutanese agencies, a fund, rounds, proposals and one login per role."

    def handle(self, *args, **options):
        # The demo's transitions notify people in the app; nobody is emailed about demo data.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        with quiet, transaction.atomic():
            agencies = seed_agencies()
            users = seed_people(agencies)
            fund = seed_fund(users, agencies)
            rounds = seed_rounds(fund, users)
            panel = seed_panel(rounds, users)
            created = seed_proposals(rounds, users, agencies)
            # The pilot's funded experiments are submitted while it is open (portal/demo/funding.py).
            created += seed_pilot_proposals(round_=rounds[PILOT_ROUND], users=users,
                                            agencies=agencies, stdout=self.stdout)
            close_pilot_round(rounds, users)
        # Later modules add their part: reviews and the panel's decisions, the pilot round's
        # awards and outcomes, then the rewards (whose first learning hangs on a reported
        # outcome, so it comes last).
        from portal.demo.reviews import seed_review_demo
        from portal.demo.rewards import seed_rewards

        with quiet, transaction.atomic():
            seed_review_demo(panel=panel)
        with quiet, transaction.atomic():
            seed_funding_demo(round_=rounds[PILOT_ROUND], users=users, stdout=self.stdout)
        with quiet, transaction.atomic():
            seed_rewards(stdout=self.stdout)
        # The story's history, dated as the story tells it (portal/demo/history.py).
        from portal.demo.history import date_the_rounds, date_the_story

        with transaction.atomic():
            date_the_story(Proposal.objects.filter(round__in=list(rounds.values())))
            date_the_rounds(Round.objects.filter(pk__in=[r.pk for r in rounds.values()]))
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {len(agencies)} agencies, fund “{fund.name}”, {len(rounds)} rounds, "
            f"{len(created)} new proposals."
        ))
        print_logins(self.stdout)
