"""The national-scale data set behind `manage.py generate_load` (issue 16).

Built round by round, oldest first, as the fund would have lived it: a round opens, civil
servants draft and submit with partners from other agencies, fund managers screen and send to
review, panel members with no conflict of interest score, the acting chair decides once the
round's quorum of reviews is in, fund managers fund within the round's budget and the fund's
contributions, tranches are released in order, outcomes (successes and failures alike) are
reported, learnings shared. Every state is reached by the transitions written to the log, in
time order, by the person the product lets take them.

Nothing goes through the services (that would take hours at 100,000 proposals and send
notifications): rows are written directly (`writer.py`). The rules the services would apply
are applied here instead, and the product's own rule decides every conflict of interest:
`proposals.conflicts.conflict_reason`, asked of in-memory proposals (their lead, team and
partner agencies as plain rows, so no query is made).

On PostgreSQL, when the database user may, foreign keys are not re-checked row by row while
the data set is written (`session_replication_role = replica`, for the writing transactions
only): every reference is made from ids handed out here, and the tests check them all
(SQLite checks foreign keys at the end of each test).
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from fund.models import Award, Contribution, Fund, Round, Tranche
from people.models import FUND_MANAGERS, HR_OFFICERS, Agency, User
from proposals.conflicts import conflict_reason
from proposals.models import BudgetLine, OutcomeReport, Proposal, TeamMember, new_record_key
from reviews.models import DEFAULT_RUBRIC, Assignment, Criterion, Panel, PanelStandIn, Review, Score
from rewards.models import Learning, LearningAuthor, Nomination, Recognition, Tag

from . import texts
from .writer import Writer

DEFAULT_PASSWORD = "load-pass-2026"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
P = Proposal.State
LAPSED = "The invitation lapsed: the proposal was submitted before it was answered."


# --- sizes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """How big each part is for `proposals` proposals: in the proportions of the measured
    national data set (99.5k proposals, 30k civil servants in 25 agencies, ~3.2 assignments
    and ~2.9 reviews a proposal, ~11% funded)."""

    proposals: int

    @property
    def people(self) -> int:
        return max(300, round(0.3 * self.proposals))

    @property
    def fund_managers(self) -> int:
        return min(10, 3 + self.proposals // 25_000)

    @property
    def hr_officers(self) -> int:
        return min(6, 2 + self.proposals // 50_000)

    @property
    def reviewers(self) -> int:
        return max(40, round(self.people * 0.08))

    @property
    def chairs(self) -> int:
        return max(8, self.reviewers // 8)

    @property
    def rounds(self) -> int:
        """Rounds with proposals (besides one draft round for next year)."""
        return max(4, min(40, self.proposals // 2500))

    @property
    def funds(self) -> int:
        return max(1, min(4, 1 + self.proposals // 25_000))

    @property
    def ranking_round(self) -> int:
        """The proposals of the round the ranking benchmark reads: 5% of them."""
        return max(1, round(0.05 * self.proposals))

    @property
    def own_proposals(self) -> int:
        """Proposals the civil servant `<prefix>-cs-1` leads, and as many more they are on."""
        return max(1, min(20, self.proposals // 10))


# --- time ------------------------------------------------------------------------------------
class Clock:
    """Times after one another and all in the past: a step that would pass `now` goes only
    halfway to it, so a history stays in order however late its round closed."""

    def __init__(self, now: datetime, rng: random.Random):
        self.now = now
        self.rng = rng

    def later(self, t: datetime, lo: float, hi: float) -> datetime:
        step = timedelta(days=self.rng.uniform(lo, hi))
        room = (self.now - t) / 2
        return t + min(step, room) if room > timedelta(0) else t


class Rows(tuple):
    """A proposal's related rows as `conflict_reason` reads them (`proposal.team.all()`),
    without building a related manager per question."""

    def all(self):
        return self


@dataclass
class Person:
    id: int
    username: str
    agency_id: int | None
    user: User  # in memory, never saved: what conflict_reason reads


@dataclass
class Draft:
    """A proposal being built: who is on it, where it ends up, and its history."""

    id: int
    index: int
    lead: Person
    agencies: list
    team: list = field(default_factory=list)  # (person, state, invited_at, accepted_at, role)
    stage: str = "decided"
    requested: Decimal = Decimal(0)
    months: int = 12
    texts: dict = field(default_factory=dict)
    created: datetime | None = None
    quality: float = 0.5
    panel: "PanelPlan | None" = None
    chair: Person | None = None
    state: str = P.DRAFT
    mean: float | None = None
    reviews: list = field(default_factory=list)  # (person, state, scores, score, rec, at)
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    decided_at: datetime | None = None
    instance: SimpleNamespace | None = None  # lead, team, partners: what conflicts read


@dataclass
class PanelPlan:
    id: int
    chair: Person
    deputy: Person
    members: list


class Generator:
    def __init__(self, proposals: int, *, seed: int = 1, password: str = DEFAULT_PASSWORD,
                 prefix: str = "load", stdout=None):
        self.plan = Plan(proposals)
        self.rng = random.Random(seed)
        self.password = password
        self.prefix = prefix
        self.stdout = stdout
        self.now = timezone.now().replace(microsecond=0)
        self.clock = Clock(self.now, self.rng)
        self.w = Writer()
        self.accounts: dict[str, str] = {}
        self.rv1_assigned = 0
        self.awarded_by_fund: dict[int, Decimal] = {}
        self.fund_first_open: dict[int, datetime] = {}
        self.closed_proposals: list[Draft] = []

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)
            self.stdout.flush()

    # --- the whole data set ------------------------------------------------------------------
    def run(self) -> dict:
        self._declare_tables()
        with transaction.atomic():
            self.w.begin()
            self._agencies_and_people()
            self._funds()
            self.w.flush()
        self.say(f"  {len(self.people)} people in {len(self.agencies)} agencies")
        for spec in self._round_specs():
            with transaction.atomic():
                self.w.begin()
                self._round(spec)
                self.w.flush()
            self.say(f"  round {spec['n']} ({spec['phase']}): {spec['size']} proposals")
        with transaction.atomic():
            self.w.begin()
            self._contributions()
            self._rewards()
            self.w.finish()
        # The rows were written around the ORM's signals: build the stored ranking rows
        # (reviews.ProposalScore) from them, as the signals would have.
        from reviews.chairs import reconcile_acting_chairs
        from reviews.services.scores import refresh_proposal_scores

        with transaction.atomic():
            refresh_proposal_scores()
        # ... and the stored acting chairs (reviews.ProposalActingChair).
        with transaction.atomic():
            reconcile_acting_chairs()
        self._statistics()
        return dict(self.w.counts())

    @staticmethod
    def _statistics() -> None:
        """Planner statistics for what was just written (PostgreSQL): without them, on a server
        whose autovacuum is off or has not come round yet, every plan is a guess and reads whole
        tables. VACUUM too (index-only scans) unless inside a transaction, where it may not run."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    def _declare_tables(self) -> None:
        t = self.w.table
        self.t_user = t(User, ["password", "last_login", "is_superuser", "username", "first_name",
                               "last_name", "email", "is_staff", "is_active", "date_joined",
                               "agency", "employee_id", "position_title", "position_level",
                               "sessions_version"])
        self.t_user_groups = t(User.groups.through, ["user", "group"])
        self.t_fund = t(Fund, ["name", "slug", "currency", "description", "organisation",
                               "organisation_identifier", "is_active"])
        self.t_round = t(Round, ["fund", "title", "slug", "description", "opens_at", "closes_at",
                                 "budget", "max_award", "min_partner_agencies",
                                 "min_panel_agencies", "reviews_required", "state"])
        self.t_criterion = t(Criterion, ["round", "name", "description", "weight", "max_score",
                                         "position"])
        self.t_panel = t(Panel, ["round", "name", "chair", "deputy_chair", "created_at"])
        self.t_panel_members = t(Panel.members.through, ["panel", "user"])
        self.t_proposal = t(Proposal, ["round", "lead", "title", "summary", "problem",
                                       "hypothesis", "success_criteria", "approach",
                                       "citizen_engagement", "expected_outcomes",
                                       "requested_amount", "duration_months", "panel", "state",
                                       "created_at", "updated_at", "submitted_at",
                                       "record_key"])
        self.t_partners = t(Proposal.partner_agencies.through, ["proposal", "agency"])
        self.t_team = t(TeamMember, ["proposal", "user", "role", "state", "invited_at",
                                     "accepted_at"])
        self.t_budget = t(BudgetLine, ["proposal", "category", "description", "amount"])
        self.t_stand_in = t(PanelStandIn, ["panel", "proposal", "chair", "named_by", "named_at"])
        self.t_assignment = t(Assignment, ["proposal", "reviewer", "panel", "due_on",
                                           "conflict_reason", "assigned_by", "created_at",
                                           "state"])
        self.t_review = t(Review, ["assignment", "comment_to_applicant", "comment_to_panel",
                                   "recommendation", "weighted_score", "submitted_at",
                                   "updated_at"])
        self.t_score = t(Score, ["review", "criterion", "value"])
        self.t_award = t(Award, ["proposal", "amount", "approved_by", "approved_at",
                                 "conditions", "state"])
        self.t_tranche = t(Tranche, ["award", "sequence", "amount", "due_on", "milestone",
                                     "milestone_report", "state"])
        self.t_outcome = t(OutcomeReport, ["proposal", "result", "summary", "indicators",
                                           "amount_spent", "citizen_feedback", "next_step",
                                           "submitted_by", "submitted_at"])
        self.t_learning = t(Learning, ["proposal", "title", "what_we_tried", "what_happened",
                                       "what_we_learned", "kind", "visibility", "published_at",
                                       "created_by", "updated_at"])
        self.t_learning_tags = t(Learning.tags.through, ["learning", "tag"])
        self.t_author = t(LearningAuthor, ["learning", "user", "state", "invited_at",
                                           "accepted_at"])
        self.t_recognition = t(Recognition, ["recipient", "kind", "citation", "awarded_by",
                                             "awarded_on"])
        self.t_recognition_proposals = t(Recognition.proposals.through,
                                         ["recognition", "proposal"])
        self.t_nomination = t(Nomination, ["nominee", "nominated_by", "justification",
                                           "evidence_links", "decision_reason", "endorsed_by",
                                           "state", "created_at"])
        self.t_nomination_proposals = t(Nomination.proposals.through, ["nomination", "proposal"])
        self.t_contribution = t(Contribution, ["fund", "agency", "amount", "received_on", "note",
                                               "recorded_by"])
        from workflow.models import TransitionLog

        self.t_log = t(TransitionLog, ["content_type", "object_id", "transition", "from_state",
                                       "to_state", "actor", "at", "note"])
        self.ct = {model: ContentType.objects.get_for_model(model).pk for model in (
            Proposal, TeamMember, Assignment, Award, Tranche, Round, LearningAuthor, Nomination)}

    def log(self, model, object_id, name, source, target, actor, at, note="") -> None:
        actor_id = actor.id if actor is not None else None
        self.t_log.add((self.w.new_id(self.t_log.model), self.ct[model], object_id, name, source,
                        target, actor_id, at, note))

    # --- people ------------------------------------------------------------------------------
    def _agencies_and_people(self) -> None:
        agencies = []
        for code, name, kind in texts.AGENCIES:  # 25 rows: kept when they exist (by code)
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                agency = Agency.objects.create(code=code, name=name, kind=kind)
            agencies.append(agency)
        self.agencies = agencies
        self.agency_ids = [a.pk for a in agencies]
        # Ministries and thromdes are larger employers than a foundation.
        self.agency_weights = [3 if a.kind in ("ministry", "thromde") else
                               2 if a.kind in ("agency", "dzongkhag") else 1 for a in agencies]
        self.tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in texts.TAGS]
        groups = {name: Group.objects.get_or_create(name=name)[0].pk
                  for name in (FUND_MANAGERS, HR_OFFICERS)}

        plan, rng, p = self.plan, self.rng, self.prefix
        hashed = make_password(self.password)
        by_id = {a.pk: a for a in agencies}  # so a conflict's message reads no agency row
        joined = self.now - timedelta(days=3650)
        people = []
        ids = iter(self.w.ids(User, plan.people))
        employee = 0

        def person(username, agency_id, *, superuser=False, group=None):
            nonlocal employee
            uid = next(ids)
            first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
            title, level = rng.choice(texts.POSITIONS)
            employee_id = None
            if agency_id is not None:
                employee += 1
                employee_id = f"{p.upper()}-{employee:06d}"
            if superuser:
                first, last, title, level = "System", "Administrator", "Administrator", ""
            self.t_user.add((uid, hashed, None, superuser, username, first, last,
                             f"{username}@example.org", superuser, True, joined, agency_id,
                             employee_id, title, level, 0))
            if group:
                self.t_user_groups.add((self.w.new_id(self.t_user_groups.model), uid,
                                        groups[group]))
            user = User(id=uid, username=username, first_name=first, last_name=last,
                        agency=by_id.get(agency_id), is_active=True)
            found = Person(uid, username, agency_id, user)
            people.append(found)
            return found

        def agency_at(i):
            return self.agency_ids[i % len(self.agency_ids)]

        def some_agency():
            return rng.choices(self.agency_ids, weights=self.agency_weights)[0]

        self.admin = person(f"{p}-admin", None, superuser=True)
        self.fund_managers = [person(f"{p}-fm-{i + 1}", agency_at(3 + 7 * i), group=FUND_MANAGERS)
                              for i in range(plan.fund_managers)]
        self.hr_officers = [person(f"{p}-hr-{i + 1}", agency_at(10 + 5 * i), group=HR_OFFICERS)
                            for i in range(plan.hr_officers)]
        # Chairs and deputies lead nothing: nobody chairs in a round they submit to.
        self.chairs = [person(f"{p}-chair-{i + 1}", agency_at(i)) for i in range(plan.chairs)]
        self.reviewers = [person(f"{p}-rv-{i + 1}", agency_at(2 * i + 1))
                          for i in range(plan.reviewers)]
        rest = plan.people - len(people)
        self.civil_servants = [person(f"{p}-cs-{i + 1}", some_agency()) for i in range(rest)]
        self.people = people
        self.fm_agencies = sorted({fm.agency_id for fm in self.fund_managers})
        # Who leads and joins proposals: civil servants and reviewers (a reviewer never
        # reviews their own work: the conflict rule sees to it).
        self.drafters = self.civil_servants + self.reviewers
        self.cs1 = self.civil_servants[0]
        self.rv1 = self.reviewers[0]
        acc = self.accounts
        acc["Fund manager"] = self.fund_managers[0].username
        acc["HR officer"] = self.hr_officers[0].username
        acc["Administrator (Django admin)"] = self.admin.username
        acc["Civil servant, lead and team member of many proposals"] = self.cs1.username
        acc["Reviewer with assignments (ranking round and open round)"] = self.rv1.username

    def _funds(self) -> None:
        self.funds = []
        for i in range(self.plan.funds):
            fid = self.w.new_id(Fund)
            self.t_fund.add((fid, f"National Innovation Fund {i + 1} ({self.prefix})",
                             f"{self.prefix}-fund-{i + 1}", "BTN",
                             "A cross-sectoral fund several ministries pay into.",
                             "Royal Government of Bhutan", "", True))
            self.funds.append(fid)
            self.awarded_by_fund[fid] = Decimal(0)

    # --- rounds ------------------------------------------------------------------------------
    def _round_specs(self) -> list[dict]:
        """Oldest first: archived rounds (every proposal finished), closed rounds whose
        projects run, the ranking round (closed, decided), the open round, a draft round."""
        plan, rng = self.plan, self.rng
        count = plan.rounds
        big = plan.ranking_round
        # the open round: a steady share, so every size has the same mix of states
        opened = round(plan.proposals * max(0.025, 0.25 / count))
        weights = [rng.lognormvariate(0, 0.6) for _ in range(count - 2)]
        left = plan.proposals - big - opened
        sizes = [max(0, int(left * w / sum(weights))) for w in weights]
        sizes[-1] += left - sum(sizes)
        sizes.append(opened)
        step = min(90, 1800 / max(1, count - 1))
        specs = []
        archived = max(1, count // 3) if count >= 4 else 0
        # oldest first: others[0..others-2] closed rounds, then the ranking round, then open
        older = sizes[:-1]
        for k, size in enumerate(older):  # k = 0 is the oldest
            age = 75 + (len(older) - k) * step
            phase = "archived" if k < archived else ("running" if age > 150 else "deciding")
            specs.append({"size": size, "phase": phase, "age": age})
        specs.append({"size": big, "phase": "deciding", "age": 75, "ranking": True})
        specs.append({"size": sizes[-1], "phase": "open", "age": -30})
        specs.append({"size": 0, "phase": "draft", "age": -150})
        for n, spec in enumerate(specs, start=1):
            spec["n"] = n
            spec["fund"] = self.funds[(n - 1) % len(self.funds)]
        return specs

    def _round(self, spec: dict) -> None:
        rng, w = self.rng, self.w
        rid = w.new_id(Round)
        closes = self.now - timedelta(days=spec["age"], hours=rng.randint(0, 23))
        opens = closes - timedelta(days=60)
        phase = spec["phase"]
        state = {"open": "open", "draft": "draft", "archived": "archived"}.get(phase, "closed")
        required = 3 if spec.get("ranking") else rng.choice((3, 3, 3, 3, 4))
        min_partners = rng.choice((2, 2, 2, 3))
        max_award = Decimal(rng.choice((1_500_000, 2_000_000, 2_500_000, 3_000_000)))
        spec.update(id=rid, opens=opens, closes=closes, required=required,
                    min_partners=min_partners, max_award=max_award)
        self.fund_first_open.setdefault(spec["fund"], opens)
        self.fund_first_open[spec["fund"]] = min(self.fund_first_open[spec["fund"]], opens)

        criteria = []
        for position, (name, description) in enumerate(DEFAULT_RUBRIC):
            cid = w.new_id(Criterion)
            self.t_criterion.add((cid, rid, name, description, Decimal("1.00"), 5, position))
            criteria.append(cid)
        spec["criteria"] = criteria

        fm = self.fund_managers[spec["n"] % len(self.fund_managers)]
        if state != "draft":
            self.log(Round, rid, "open", "draft", "open", fm, opens)
        if state in ("closed", "archived"):
            self.log(Round, rid, "close", "open", "closed", None, closes,
                     "Closed at its closing time.")

        panels = self._panels(spec) if spec["size"] else []
        drafts = [self._proposal(spec, i) for i in range(spec["size"])]
        spec["participants"] = {d.lead.id for d in drafts} | {
            m.id for d in drafts for m, s in d.team if s in ("accepted", "left")}
        for draft in drafts:
            if draft.stage in ("decided", "revised", "in_review", "revision"):
                self._review(spec, draft, panels)
        self._decide(spec, drafts)
        for draft in drafts:
            self._write_proposal(spec, draft)
        budget = self._fund_round(spec, drafts)
        if state == "archived":
            last = max((d.updated_at for d in drafts if d.updated_at), default=closes)
            self.log(Round, rid, "archive", "closed", "archived", fm,
                     self.clock.later(last, 1, 30))
        title = ("Open call" if phase == "open" else "Call") + f" {spec['n']}: " + (
            rng.choice(texts.SERVICES).capitalize() + " closer to citizens")
        self.t_round.add((rid, spec["fund"], title, f"{self.prefix}-round-{spec['n']}",
                          "A call for cross-agency experiments.", opens, closes, budget,
                          max_award, min_partners, 3, required, state))

    def _panels(self, spec: dict) -> list[PanelPlan]:
        rng, w = self.rng, self.w
        size, required = spec["size"], spec["required"]
        count = max(1, math.ceil(size / 400))
        chairs = rng.sample(self.chairs, min(len(self.chairs), 2 * count))
        for flag, chair, role in ((spec.get("ranking"), self.chairs[0], "ranking round"),
                                  (spec["phase"] == "open", self.chairs[1], "open round")):
            if flag:  # a known chair for the benchmark: first panel of these two rounds
                chairs = [chair] + [c for c in chairs if c is not chair]
                self.accounts[f"Panel chair ({role})"] = chair.username
        panels = []
        per_panel = size / count
        members_wanted = max(8, math.ceil(per_panel * (required + 0.4) / 30))
        for i in range(count):
            chair = chairs[(2 * i) % len(chairs)]
            deputy = next(c for c in chairs[(2 * i + 1) % len(chairs):] + chairs
                          if c.agency_id != chair.agency_id)
            members = [chair, deputy]
            pool = rng.sample(self.reviewers, min(len(self.reviewers), members_wanted))
            if i == 0 and spec.get("ranking") or i == 0 and spec["phase"] == "open":
                pool = [self.rv1] + [r for r in pool if r is not self.rv1]
            members += pool[:members_wanted]
            # at least min_panel_agencies (3) agencies; the pools rotate through all 25
            pid = w.new_id(Panel)
            self.t_panel.add((pid, spec["id"], f"Panel {chr(65 + i % 26)}{i // 26 or ''}",
                              chair.id, deputy.id, spec["opens"]))
            for m in members:
                self.t_panel_members.add((w.new_id(self.t_panel_members.model), pid, m.id))
            panels.append(PanelPlan(pid, chair, deputy, members))
        return panels

    # --- a proposal --------------------------------------------------------------------------
    def _stage(self, phase: str) -> str:
        r = self.rng.random()
        if phase == "open":
            table = (("draft", .33), ("draft_withdrawn", .03), ("submitted", .22),
                     ("ineligible", .05), ("withdrawn", .02), ("in_review", .30),
                     ("revision", .05))
        elif phase == "deciding":
            table = (("ineligible", .06), ("withdrawn", .02), ("in_review", .10),
                     ("revision", .03), ("revised", .04))
        else:
            table = (("ineligible", .07), ("withdrawn", .02), ("revised", .05))
        for stage, share in table:
            if r < share:
                return stage
            r -= share
        return "decided"

    def _proposal(self, spec: dict, i: int) -> Draft:
        rng, w, plan = self.rng, self.w, self.plan
        index = self._next_index = getattr(self, "_next_index", -1) + 1
        own = plan.own_proposals
        spacing = max(1, plan.proposals // own)
        ours = index // spacing < own
        lead_slot = ours and index % spacing == 0
        team_slot = ours and spacing > 1 and index % spacing == spacing // 2
        lead = self.cs1 if lead_slot else rng.choice(self.drafters)
        partners_wanted = rng.choice((1, 1, 2, 2, 3))
        if spec["min_partners"] > 2:
            partners_wanted = max(partners_wanted, 2)
        # Some fund manager's agency stays off the proposal, so one is free to screen and fund.
        kept_free = rng.choice([a for a in self.fm_agencies if a != lead.agency_id])
        partners = []
        while len(partners) < partners_wanted:
            agency = rng.choice(self.agency_ids)
            if agency not in (lead.agency_id, kept_free) and agency not in partners:
                partners.append(agency)
        draft = Draft(id=w.new_id(Proposal), index=index, lead=lead, agencies=partners)
        draft.stage = self._stage(spec["phase"])
        words = texts.proposal_texts(rng)
        draft.months = words.pop("months")
        draft.texts = words
        draft.requested = Decimal(rng.randint(100, int(spec["max_award"]) // 1000) * 1000)
        draft.quality = rng.betavariate(2, 2)
        start = spec["opens"]
        end = min(spec["closes"], self.now)
        draft.created = start + (end - start) * rng.uniform(0, 0.7)

        team_size = rng.choices((0, 1, 2, 3), weights=(40, 35, 20, 5))[0]
        chosen = {lead.id}
        if team_slot and lead is not self.cs1:
            chosen.add(self.cs1.id)
            draft.team.append([self.cs1, "accepted"])
        while len(draft.team) < team_size:
            member = rng.choice(self.drafters)
            if member.id in chosen:
                continue
            chosen.add(member.id)
            if draft.stage in ("draft", "draft_withdrawn"):
                state = rng.choices(("accepted", "invited"), weights=(60, 40))[0]
            else:
                state = rng.choices(("accepted", "declined", "left", "lapsed"),
                                    weights=(80, 10, 5, 5))[0]
            draft.team.append([member, state])
        # In memory, what the conflict rule reads: lead, team (ever accepted), partners.
        draft.instance = SimpleNamespace(
            pk=draft.id, lead_id=lead.id, lead=lead.user,
            team=Rows(SimpleNamespace(user_id=m.id, accepted_at=(s in ("accepted", "left")) or None)
                      for m, s in draft.team),
            partner_agencies=Rows(SimpleNamespace(pk=a) for a in partners),
        )
        return draft

    def unconflicted(self, person: Person, draft: Draft) -> bool:
        return conflict_reason(person.user, draft.instance) is None

    def fund_manager_for(self, draft: Draft) -> Person:
        """An unconflicted fund manager (fund managers lead nothing; their agency may be on it)."""
        managers = self.fund_managers
        start = draft.index % len(managers)
        for k in range(len(managers)):
            fm = managers[(start + k) % len(managers)]
            if self.unconflicted(fm, draft):
                return fm
        raise RuntimeError("every fund manager has a conflict")  # 3+ managers in 3+ agencies

    # --- review ------------------------------------------------------------------------------
    def _review(self, spec: dict, draft: Draft, panels: list[PanelPlan]) -> None:
        rng = self.rng
        order = rng.sample(panels, len(panels))
        required = spec["required"]
        wanted = required + (1 if rng.random() < 0.3 else 0)
        extra = rng.choices(("", "conflict", "late"), weights=(90, 5, 5))[0]
        needed = wanted + (1 if extra else 0)
        participants = spec["participants"]
        for panel in order:
            start = rng.randrange(len(panel.members))
            candidates = panel.members[start:] + panel.members[:start]
            if self.rv1 in candidates and self.rv1_assigned < 60:
                candidates.remove(self.rv1)
                candidates.insert(0, self.rv1)
            free = []
            for m in candidates:  # enough reviewers, and a few more for a stand-in
                if self.unconflicted(m, draft):
                    free.append(m)
                    if len(free) >= needed + 4:
                        break
            if len(free) < needed:
                continue
            chair_free = any(self.unconflicted(c, draft) for c in (panel.chair, panel.deputy))
            if chair_free or any(m.id not in participants for m in free):
                break
        else:  # no panel has enough reviewers free of conflict: screened out instead
            draft.stage = "ineligible"
            return
        draft.panel = panel
        for person in (panel.chair, panel.deputy):
            if self.unconflicted(person, draft):
                draft.chair = person
                break
        reviewers = free[:needed]
        if self.rv1 in reviewers:
            self.rv1_assigned += 1
        draft.reviewers = reviewers
        draft.extra = extra
        draft.free = free

    def _scores(self, quality: float) -> tuple[list[int], Decimal]:
        rng = self.rng
        values = [min(5, max(1, round(1 + 4 * quality + rng.gauss(0, 0.8)))) for _ in range(6)]
        score = (Decimal(sum(values)) / Decimal(30) * HUNDRED).quantize(CENT, ROUND_HALF_UP)
        return values, score

    def _decide(self, spec: dict, drafts: list[Draft]) -> None:
        """Scores first, then the panel's decisions by rank and the fund managers' by money."""
        decided = []
        for d in drafts:
            if d.stage not in ("decided", "revised", "in_review", "revision") or not d.panel:
                continue
            marks = []
            for k, reviewer in enumerate(d.reviewers):
                if d.stage in ("decided", "revised"):
                    if k >= spec["required"] and d.extra == "conflict" and k == len(d.reviewers) - 1:
                        state = "conflict"
                    elif k >= spec["required"] and d.extra == "late" and k == len(d.reviewers) - 1:
                        state = "assigned"
                    else:
                        state = "submitted"
                else:
                    state = "submitted" if self.rng.random() < 0.5 else "assigned"
                values, score = self._scores(d.quality) if state == "submitted" else (None, None)
                marks.append([reviewer, state, values, score])
            d.reviews = marks
            done = [m[3] for m in marks if m[1] == "submitted"]
            if d.stage in ("decided", "revised"):
                d.mean = float(sum(done) / len(done))
                decided.append(d)
        decided.sort(key=lambda d: -d.mean)
        top = math.ceil(len(decided) * 0.35)
        for k, d in enumerate(decided):
            d.outcome = "recommended" if k < top else "rejected"

    # --- writing a proposal's rows and history -------------------------------------------------
    def go(self, d: Draft, name: str, target: str, actor, at: datetime, note: str = "") -> None:
        """A proposal transition: logged from the state it is in, by `actor`, at `at`."""
        self.log(Proposal, d.id, name, d.state, target, actor, at, note)
        d.state = target
        d.updated_at = at

    def _write_proposal(self, spec: dict, d: Draft) -> None:
        rng, w, clock = self.rng, self.w, self.clock
        lead = d.lead
        t = d.created
        d.updated_at = t
        # the team: invited (and answering) while the proposal is drafted
        members = []
        for m, state in d.team:
            mid = w.new_id(TeamMember)
            invited = clock.later(t, 0, 3)
            accepted = None
            self.log(TeamMember, mid, "invite", "", "invited", lead, invited)
            if state in ("accepted", "left"):
                accepted = clock.later(invited, 0, 4)
                self.log(TeamMember, mid, "accept", "invited", "accepted", m, accepted)
            elif state == "declined":
                self.log(TeamMember, mid, "decline", "invited", "declined", m,
                         clock.later(invited, 0, 4))
            members.append([mid, m, state, invited, accepted])
            t = max(t, accepted or invited)
        d.members = members
        d.fm = fm = self.fund_manager_for(d)
        d.panel_id = None
        stage = d.stage
        events = t
        if stage == "draft_withdrawn":
            events = clock.later(events, 1, 20)
            self.go(d, "withdraw", P.WITHDRAWN, lead, events, "We will try again next round.")
            self._lapse(members, events, "The invitation lapsed: the proposal was withdrawn.")
        if stage in ("draft", "draft_withdrawn"):
            return
        submit = clock.later(events, 1, 20)
        if spec["phase"] != "open":
            submit = min(submit, spec["closes"] - timedelta(minutes=rng.randint(5, 600)))
            submit = max(submit, events + timedelta(minutes=1))
        self.go(d, "submit", P.SUBMITTED, lead, submit)
        d.submitted_at = events = submit
        self._lapse(members, submit, LAPSED)
        for row in members:
            if row[2] == "left":
                self.log(TeamMember, row[0], "leave", "accepted", "left", row[1],
                         clock.later(submit, 1, 30))
        start_review = spec["closes"] if spec["phase"] != "open" else events
        if stage == "withdrawn":
            self.go(d, "withdraw", P.WITHDRAWN, lead, clock.later(events, 1, 10),
                    "The lead moved to another post.")
            return
        if stage == "ineligible":
            self.go(d, "screen_out", P.INELIGIBLE, fm, clock.later(max(events, start_review), 1, 10),
                    "Outside the round's scope: it does not involve citizens directly.")
            return
        if stage == "submitted":
            return
        d.panel_id = d.panel.id
        events = clock.later(max(events, start_review), 1, 10)
        self.go(d, "send_to_review", P.IN_REVIEW, fm, events)
        chair = d.chair
        if chair is None:  # chair and deputy both conflicted: a fund manager names a stand-in
            chair = d.chair = self._stand_in(d, fm, events, spec["participants"])
        if stage == "revised":
            events = clock.later(events, 5, 20)
            self.go(d, "request_revision", P.REVISION_REQUESTED, chair, events,
                    "Please sharpen the success criteria and the evaluation budget.")
            events = clock.later(events, 5, 20)
            self.go(d, "submit", P.SUBMITTED, lead, events, "Revised as the panel asked.")
            d.submitted_at = events
            events = clock.later(events, 1, 5)
            self.go(d, "send_to_review", P.IN_REVIEW, fm, events)
        events = self._assignments(spec, d, chair, events)
        if stage == "revision":
            self.go(d, "request_revision", P.REVISION_REQUESTED, chair,
                    clock.later(events, 1, 10), "Please add a baseline measurement.")
        elif stage in ("decided", "revised"):
            at = clock.later(events, 1, 7)
            if d.outcome == "recommended":
                self.go(d, "recommend", P.RECOMMENDED, chair, at,
                        f"Ranked in the top third of the round (mean score {d.mean:.1f}).")
            else:
                self.go(d, "reject", P.REJECTED, chair, at,
                        f"Below the panel's line (mean score {d.mean:.1f}).")

    def _lapse(self, members: list, at: datetime, note: str) -> None:
        for row in members:
            if row[2] in ("lapsed", "invited"):
                row[2] = "declined"
                self.log(TeamMember, row[0], "decline", "invited", "declined", None, at, note)

    def _stand_in(self, d: Draft, fm: Person, at: datetime, participants: set) -> Person:
        """An unconflicted panel member who leads and joins nothing in the round (nobody with
        a proposal in a round stands in as its chair): chairs first."""
        eligible = [p for p in d.free if p.id not in participants]
        person = next((p for p in eligible if p in self.chairs), eligible[0])
        self.t_stand_in.add((self.w.new_id(PanelStandIn), d.panel.id, d.id, person.id, fm.id,
                             at))
        return person

    def _assignments(self, spec: dict, d: Draft, chair: Person, sent: datetime) -> datetime:
        w, clock, rng = self.w, self.clock, self.rng
        last = sent
        for reviewer, state, values, score in d.reviews:
            aid = w.new_id(Assignment)
            assigned = clock.later(sent, 0, 2)
            due = (assigned + timedelta(days=21)).date()
            reason = ""
            if state == "submitted":
                at = clock.later(assigned, 2, 25)
                last = max(last, at)
                rid = w.new_id(Review)
                rec = "fund" if score >= 70 else "revise" if score >= 50 else "do_not_fund"
                self.t_review.add((rid, aid, rng.choice(texts.REVIEW_TO_APPLICANT),
                                   rng.choice(texts.REVIEW_TO_PANEL), rec, score, at, at))
                for cid, value in zip(spec["criteria"], values, strict=True):
                    self.t_score.add((w.new_id(Score), rid, cid, value))
                self.log(Assignment, aid, "submit_review", "assigned", "submitted", reviewer, at)
            elif state == "conflict":
                reason = "I worked closely with the lead on a related project last year."
                self.log(Assignment, aid, "declare_conflict", "assigned", "conflict", reviewer,
                         clock.later(assigned, 1, 5), reason)
            self.t_assignment.add((aid, d.id, reviewer.id, d.panel.id, due, reason, chair.id,
                                   assigned, state))
        return last

    # --- money -------------------------------------------------------------------------------
    def _fund_round(self, spec: dict, drafts: list[Draft]) -> Decimal:
        """Fund managers fund the recommended proposals best first while the round's budget
        lasts (a third of what they ask); the others are declined, or wait while the round is young.
        Awards never pass the budget, the requested amount or the maximum award."""
        rng = self.rng
        recommended = sorted((d for d in drafts if d.state == P.RECOMMENDED),
                             key=lambda d: -d.mean)
        asked = sum((d.requested for d in recommended), Decimal(0))
        if not recommended:
            asked = sum((d.requested for d in drafts), Decimal(0)) * Decimal("0.15")
        budget = max(Decimal(1_000_000),
                     (asked * Decimal("0.33") / 1000).to_integral_value() * 1000)
        committed = Decimal(0)
        waiting = spec["phase"] == "deciding"
        if waiting and recommended:  # the last of them still waits for a fund manager
            recommended.pop()
        for d in recommended:
            amount = d.requested if rng.random() < 0.7 else max(
                Decimal(1000), (d.requested * Decimal("0.9") / 1000).to_integral_value() * 1000)
            if committed + amount <= budget:
                committed += amount
                self._award(spec, d, amount)
            elif not waiting or rng.random() < 0.5:
                self.go(d, "decline", P.DECLINED, d.fm, self.clock.later(d.updated_at, 5, 20),
                        "The round's budget is exhausted.")
        self.awarded_by_fund[spec["fund"]] += committed
        for d in drafts:
            self._proposal_rows(spec, d)
        return budget

    def _award(self, spec: dict, d: Draft, amount: Decimal) -> None:
        rng, w, clock = self.rng, self.w, self.clock
        fm, lead = d.fm, d.lead
        at = clock.later(d.updated_at, 5, 20)
        self.go(d, "fund", P.FUNDED, fm, at)
        award_id = w.new_id(Award)
        phase = spec["phase"]
        if phase == "archived":
            end = "closed"
        elif phase == "running":
            end = rng.choices(("funded", "outcome_reported", "closed"), weights=(3, 3, 4))[0]
        else:
            end = "funded"
        count = rng.choice((1, 2, 2, 3, 3, 4))
        part = (amount / count).quantize(CENT, rounding="ROUND_DOWN")
        amounts = [part] * (count - 1) + [amount - part * (count - 1)]
        if end == "funded":
            reported = rng.randint(0, count - 1)
            released_next = rng.random() < 0.6
        else:
            reported = rng.randint(max(0, count - 2), count - 1)
            released_next = reported == 0 or rng.random() < 0.7
        states, t = [], at
        released = Decimal(0)
        for k, part in enumerate(amounts):
            tid = w.new_id(Tranche)
            due = (at + timedelta(days=30 + 120 * k)).date()
            if k < reported or (k == reported and released_next):
                t = clock.later(t, 1, 10)
                self.log(Tranche, tid, "release", "scheduled", "released", fm, t)
                released += part
                state = "released"
                if k < reported:
                    t = clock.later(t, 30, 120)
                    self.log(Tranche, tid, "report_milestone", "released", "reported", lead, t)
                    state = "reported"
            else:
                state = "scheduled"
            states.append([tid, k + 1, part, due, state])
        award_state = "active"
        if end in ("outcome_reported", "closed"):
            report_at = clock.later(t, 10, 60)
            result = rng.choices(("succeeded", "partly_succeeded", "did_not_succeed"),
                                 weights=(40, 35, 25))[0]
            spent = (released * Decimal(rng.uniform(0.6, 1.0))).quantize(CENT, "ROUND_DOWN")
            self.t_outcome.add((w.new_id(OutcomeReport), d.id, result,
                                texts.OUTCOME_SUMMARY[result].format(pct=rng.randint(5, 45)),
                                "Median waiting time; requests repeated; citizen satisfaction.",
                                spent, "Citizens asked for the service to stay.",
                                texts.NEXT_STEP[result], lead.id, report_at))
            self.go(d, "report_outcome", P.OUTCOME_REPORTED, lead, report_at)
            d.result = result
            if rng.random() < (0.8 if result == "did_not_succeed" else 0.55):
                self._learning(d, result, clock.later(report_at, 1, 20))
            if end == "closed":
                close_at = clock.later(report_at, 5, 30)
                self.go(d, "close", P.CLOSED, fm, close_at)
                for row in states:
                    if row[4] == "scheduled":
                        row[4] = "cancelled"
                        self.log(Tranche, row[0], "cancel", "scheduled", "cancelled", fm, close_at,
                                 "Not released when the proposal closed: the money returns to "
                                 "the fund.")
                self.log(Award, award_id, "complete", "active", "completed", fm, close_at)
                award_state = "completed"
                self.closed_proposals.append(d)
        self.t_award.add((award_id, d.id, amount, fm.id, at,
                          "Report each milestone before the next release.", award_state))
        for tid, sequence, part, due, state in states:
            report = "Milestone met; the evidence is attached to the report." if (
                state == "reported") else ""
            self.t_tranche.add((tid, award_id, sequence, part, due,
                                f"Milestone {sequence}: pilot step {sequence} done.", report,
                                state))

    def _learning(self, d: Draft, result: str, at: datetime) -> None:
        rng, w = self.rng, self.w
        lid = w.new_id(Learning)
        writer = d.lead
        kind = texts.LEARNING_KIND[result]
        visibility = "public" if rng.random() < 0.4 else "internal"
        self.t_learning.add((lid, d.id, f"What we learned: {d.texts['title']}"[:200],
                             d.texts["approach"], texts.OUTCOME_SUMMARY[result].format(pct=20),
                             "Start with the people who run the counter, not with the form.",
                             kind, visibility, at, writer.id, at))
        aid = w.new_id(LearningAuthor)
        self.t_author.add((aid, lid, writer.id, "accepted", at, at))
        self.log(LearningAuthor, aid, "accept", "invited", "accepted", writer, at,
                 "Wrote the learning.")
        accepted = [row for row in d.members if row[2] == "accepted"]
        if accepted and rng.random() < 0.5:
            member = accepted[0][1]
            cid = w.new_id(LearningAuthor)
            answered = self.clock.later(at, 0, 5)
            self.t_author.add((cid, lid, member.id, "accepted", at, answered))
            self.log(LearningAuthor, cid, "invite", "", "invited", writer, at)
            self.log(LearningAuthor, cid, "accept", "invited", "accepted", member, answered)
        for tag in rng.sample(self.tag_ids, 2):
            self.t_learning_tags.add((w.new_id(self.t_learning_tags.model), lid, tag))

    # --- a proposal's own rows ---------------------------------------------------------------
    def _proposal_rows(self, spec: dict, d: Draft) -> None:
        rng, w = self.rng, self.w
        x = d.texts
        self.t_proposal.add((d.id, spec["id"], d.lead.id, x["title"], x["summary"], x["problem"],
                             x["hypothesis"], x["success_criteria"], x["approach"],
                             x["citizen_engagement"], x["expected_outcomes"], d.requested,
                             d.months, d.panel_id, d.state, d.created, d.updated_at,
                             d.submitted_at, new_record_key()))
        for agency in d.agencies:
            self.t_partners.add((w.new_id(self.t_partners.model), d.id, agency))
        for mid, person, state, invited, accepted in d.members:
            self.t_team.add((mid, d.id, person.id, rng.choice(texts.ROLES), state, invited,
                             accepted))
        thousands = int(d.requested / 1000)
        count = min(thousands, rng.choice((1, 2, 3, 3, 4)))
        cuts = sorted(rng.sample(range(1, thousands), count - 1)) if count > 1 else []
        bounds = [0, *cuts, thousands]
        categories = rng.sample(list(texts.BUDGET_LINES), count)
        for k, category in enumerate(categories):
            amount = Decimal((bounds[k + 1] - bounds[k]) * 1000)
            self.t_budget.add((w.new_id(BudgetLine), d.id, category,
                               texts.BUDGET_LINES[category], amount))

    # --- the fund's money, recognitions and nominations --------------------------------------
    def _contributions(self) -> None:
        """Each fund's contributions cover every award it made with a quarter to spare, from
        several agencies (what makes the fund cross-sectoral), received before its first round."""
        rng = self.rng
        for fund in self.funds:
            total = (self.awarded_by_fund[fund] * Decimal("1.25")).quantize(CENT) + 1_000_000
            givers = rng.sample(self.agency_ids, rng.randint(3, 6))
            shares = [rng.uniform(1, 4) for _ in givers]
            amounts = [(total * Decimal(s / sum(shares))).quantize(CENT, "ROUND_DOWN")
                       for s in shares]
            amounts[0] += total - sum(amounts)
            opened = self.fund_first_open.get(fund, self.now)
            for agency, amount in zip(givers, amounts, strict=True):
                received = (opened - timedelta(days=rng.randint(10, 60))).date()
                self.t_contribution.add((self.w.new_id(Contribution), fund, agency, amount,
                                         received, "Annual allocation to the innovation fund.",
                                         self.fund_managers[0].id))

    def _rewards(self) -> None:
        rng, w, plan = self.rng, self.w, self.plan
        closed = self.closed_proposals
        if not closed:
            return
        for k in range(max(3, plan.proposals // 400)):
            d = closed[k % len(closed)]
            rid = w.new_id(Recognition)
            kind = rng.choice([c for c, _ in Recognition.Kind.choices])
            fm = self.fund_manager_for(d)
            self.t_recognition.add((rid, d.lead.id, kind,
                                    f"For “{d.texts['title']}”, and what it taught us.", fm.id,
                                    d.updated_at.date()))
            self.t_recognition_proposals.add((w.new_id(self.t_recognition_proposals.model), rid,
                                              d.id))
        nominees = {}
        for d in closed:
            nominees.setdefault(d.lead.id, d)
        for n, d in enumerate(list(nominees.values())[:max(2, plan.proposals // 1000)]):
            nid = w.new_id(Nomination)
            nominee = d.lead
            colleagues = [row[1] for row in d.members if row[1].id != nominee.id]
            nominator = colleagues[0] if colleagues else next(
                p for p in self.civil_servants[1:] if p.id != nominee.id)
            fm = next(f for f in self.fund_managers if f.id not in (nominee.id, nominator.id))
            hr = self.hr_officers[n % len(self.hr_officers)]
            state = ("nominated", "endorsed", "granted", "not_granted", "withdrawn")[n % 5]
            at = self.clock.later(d.updated_at, 5, 30)
            endorsed_by, reason = None, ""
            if state == "withdrawn":
                self.log(Nomination, nid, "withdraw", "nominated", "withdrawn", nominator,
                         self.clock.later(at, 1, 10), "Nominated again next year.")
            elif state != "nominated":
                endorsed_by = fm.id
                endorsed = self.clock.later(at, 1, 10)
                self.log(Nomination, nid, "endorse", "nominated", "endorsed", fm, endorsed)
                if state == "granted":
                    self.log(Nomination, nid, "grant", "endorsed", "granted", hr,
                             self.clock.later(endorsed, 1, 20))
                elif state == "not_granted":
                    reason = "Not this cycle: the position levels were filled."
                    self.log(Nomination, nid, "not_grant", "endorsed", "not_granted", hr,
                             self.clock.later(endorsed, 1, 20), reason)
            self.t_nomination.add((nid, nominee.id, nominator.id,
                                   "Led an experiment whose results, good or bad, changed how "
                                   "we serve citizens.", "", reason, endorsed_by, state, at))
            self.t_nomination_proposals.add((w.new_id(self.t_nomination_proposals.model), nid,
                                             d.id))
