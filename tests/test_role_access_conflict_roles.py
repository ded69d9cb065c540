"""Every URL of the product as the five roles of issue 12, and an unconflicted fund manager.

DOMAIN.md, "Integrity rules": a conflicted viewer sees nothing of a proposal's review (no
reviewer names or progress, no scores, no rank position or review count) in any channel; the
acting chair (chair, deputy chair, stand-in) is the first of them without a conflict; an
invitee may read what they are invited to, to decide, and changes nothing.

The world (built once for the module, in a transaction rolled back after it; each test runs
in a savepoint inside it):

- a round with one panel of members from eight agencies: the chair works at a partner agency
  of P (`conflicted_chair`); the deputy chair at another agency (`deputy`, P's acting chair);
- P, submitted by its lead and sent to the panel by a fund manager, with three reviewers
  assigned by the deputy ("Revieweralpha", "Reviewerbeta", "Reviewergamma") whose reviews
  are submitted, each with a comment to the panel "CONFIDENTIAL-PANEL-NOTE";
- Q in review, led from the deputy's agency with the chair's agency as a partner: a fund
  manager named a stand-in chair for it (`stand_in`), who assigned two reviewers;
- D, a draft in an open round, to whose team `invitee` is invited;
- F, funded, with an award of two tranches, a learning, a recognition; R, recommended; a
  nomination of P's lead citing P; a portfolio report (a job, run) for each conflicted role;
- `conflicted_fund_manager` works at P's lead's agency; `fund_manager` is the control.
Notifications are those the product sent while the world was built.

Every route of `tests.route_coverage.all_routes()` is requested with GET by every role, its
path parameters filled with the objects above (`_variants`: P, Q, D and F for a proposal, and
so on). Checked: (1) never a 500; (2) nothing of P's reviews in anything the two conflicted
roles get (pages and error pages, JSON, CSV, XLSX cells, PDF text; the ranking's P row);
(3) the deputy's and the stand-in's access as acting chairs, the conflicted chair's 404;
(4) the invitee reads D and every write on D is refused; (5) the ENDPOINTS table.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests import route_coverage

ROLES = ["conflicted_chair", "deputy", "stand_in", "invitee", "conflicted_fund_manager",
         "fund_manager"]
CONFLICTED = ("conflicted_chair", "conflicted_fund_manager")
NOTE = "CONFIDENTIAL-PANEL-NOTE"
APPLICANT_NOTE = "P-APPLICANT-COMMENT"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# P's three reviews: six criteria of equal weight scored 1..5 (sums 23, 19, 26 of 30).
P_SCORES = {
    "alpha": [5, 4, 4, 3, 5, 2],   # 76.67
    "beta": [3, 3, 4, 2, 3, 4],    # 63.33
    "gamma": [4, 5, 5, 4, 4, 4],   # 86.67
}


# --- the world ---------------------------------------------------------------------------------
def _build(media_root) -> SimpleNamespace:
    from fund.factories import ContributionFactory, FundFactory, RoundFactory
    from jobs import services as job_services
    from jobs.models import Job
    from people.factories import AgencyFactory, UserFactory
    from proposals import services as proposal_services
    from proposals.factories import AttachmentFactory, ProposalFactory, TeamMemberFactory
    from reviews import services as review_services
    from reviews.factories import PanelFactory
    from rewards.factories import LearningFactory, NominationFactory, RecognitionFactory
    from tests.awards.conftest import make_award

    w = SimpleNamespace(media_root=media_root)
    ag = {code: AgencyFactory(code=code, name=f"Agency {code}") for code in (
        "LEADP", "PARTX", "CHAIRAG", "DEPAG", "REVA", "REVB", "REVC", "REVD", "REVE", "STAND",
        "QPART", "FMAG", "DRAFTAG", "INVAG", "FUNDAG", "FUNDPA")}
    w.ag = ag

    def person(username, first, last, agency, **kw):
        return UserFactory(username=username, first_name=first, last_name=last,
                           agency=ag[agency], **kw)

    w.fund_manager = person("fm-control", "Sonamcontrol", "Dorjicontrol", "FMAG",
                            fund_manager=True)
    w.conflicted_fund_manager = person("fm-conflicted", "Yesheconflict", "Lhamoconflict",
                                       "LEADP", fund_manager=True)
    w.fund = FundFactory(name="Conflict Roles Fund")
    ContributionFactory(fund=w.fund, agency=ag["FMAG"], amount=Decimal("5000000.00"),
                        recorded_by=w.fund_manager)
    w.round = RoundFactory(fund=w.fund, title="Conflict roles round",
                           budget=Decimal("1200000.00"))
    w.open_round = RoundFactory(fund=w.fund, title="Open drafting round")
    w.criteria = list(w.round.criteria.order_by("position", "pk"))

    # The panel: chair at CHAIRAG (a partner of P), deputy at DEPAG, five reviewers, a stand-in.
    w.conflicted_chair = person("chair-conflicted", "Chairperson", "Wangchukchair", "CHAIRAG")
    w.deputy = person("deputy-chair", "Deputyperson", "Tsheringdeputy", "DEPAG")
    w.reviewers = {
        "alpha": person("rev-alpha", "Revieweralpha", "Kinleyalpha", "REVA"),
        "beta": person("rev-beta", "Reviewerbeta", "Kinleybeta", "REVB"),
        "gamma": person("rev-gamma", "Reviewergamma", "Kinleygamma", "REVC"),
    }
    w.q_reviewers = {
        "delta": person("rev-delta", "Reviewerdelta", "Kinleydelta", "REVD"),
        "epsilon": person("rev-epsilon", "Reviewerepsilon", "Kinleyepsilon", "REVE"),
    }
    w.stand_in = person("stand-in", "Standinperson", "Pelzomstand", "STAND")
    w.panel = PanelFactory(round=w.round, name="Conflict roles panel", chair=w.conflicted_chair,
                           members=[w.deputy, *w.reviewers.values(), *w.q_reviewers.values(),
                                    w.stand_in])
    review_services.panel_update(actor=w.fund_manager, panel=w.panel, deputy_chair=w.deputy)

    # P: led from LEADP, partners CHAIRAG and PARTX; an accepted team member; an attachment.
    # Submitted by its lead, sent to the panel by a fund manager, reviewers assigned by the
    # deputy (its acting chair), reviews submitted: every step logged and announced.
    due = timezone.localdate() + timedelta(days=14)
    w.p_lead = person("p-lead", "Pemalead", "Wangmolead", "LEADP")
    w.p = ProposalFactory(round=w.round, lead=w.p_lead, ready=True,
                          title="Proposal Pee on district queues",
                          partners=[ag["CHAIRAG"], ag["PARTX"]])
    w.p_team = TeamMemberFactory(proposal=w.p, user=person("p-team", "Karmateam", "Dema",
                                                           "PARTX"))
    w.p_attachment = AttachmentFactory(proposal=w.p)
    proposal_services.proposal_submit(proposal=w.p, actor=w.p_lead)
    proposal_services.proposal_send_to_review(proposal=w.p, actor=w.fund_manager,
                                              panel=w.panel)
    w.p_assignments = {}
    for key, user in w.reviewers.items():
        a = review_services.assignment_create(actor=w.deputy, proposal=w.p, reviewer=user,
                                              panel=w.panel, due_on=due)
        review_services.assignment_submit_review(assignment=a, actor=user, review={
            "scores": [{"criterion": c.pk, "value": v}
                       for c, v in zip(w.criteria, P_SCORES[key], strict=True)],
            "recommendation": "fund",
            "comment_to_applicant": f"{APPLICANT_NOTE} {key}",
            "comment_to_panel": f"{NOTE} {key}",
        })
        w.p_assignments[key] = a
    from reviews.models import Review

    weighted = [r.weighted_score for r in Review.objects.filter(assignment__proposal=w.p)]
    mean = sum(weighted) / 3
    spread = max(weighted) - min(weighted)
    w.p_numbers = {str(x) for x in weighted} | {
        str(mean.quantize(Decimal("0.01"))), str(mean.quantize(Decimal("0.1"))),
        str(spread), str(spread.quantize(Decimal("0.1")))}
    w.p_numbers |= {str(x.quantize(Decimal("0.1"))) for x in weighted}

    # Q: led from the deputy's agency, the chair's agency a partner: a fund manager names a
    # stand-in chair, who assigns two reviewers; one has submitted.
    w.q_lead = person("q-lead", "Quentinlead", "Dorjiq", "DEPAG")
    w.q = ProposalFactory(round=w.round, lead=w.q_lead, ready=True,
                          title="Proposal Queue on school meals",
                          partners=[ag["CHAIRAG"], ag["QPART"]])
    w.q_attachment = AttachmentFactory(proposal=w.q)
    proposal_services.proposal_submit(proposal=w.q, actor=w.q_lead)
    proposal_services.proposal_send_to_review(proposal=w.q, actor=w.fund_manager,
                                              panel=w.panel)
    w.stand_in_row = review_services.panel_stand_in_name(
        actor=w.fund_manager, panel=w.panel, proposal=w.q, chair=w.stand_in)
    w.q_assignments = {
        key: review_services.assignment_create(actor=w.stand_in, proposal=w.q, reviewer=user,
                                               panel=w.panel, due_on=due)
        for key, user in w.q_reviewers.items()
    }
    qa = w.q_assignments["delta"]
    review_services.assignment_submit_review(assignment=qa, actor=qa.reviewer, review={
        "scores": [{"criterion": c.pk, "value": 4} for c in w.criteria],
        "recommendation": "revise", "comment_to_panel": "Q panel note",
    })

    w.p.refresh_from_db()
    w.q.refresh_from_db()

    # D: a draft in the open round with an open invitation and an accepted member.
    w.d_lead = person("d-lead", "Dechenlead", "Zangmo", "DRAFTAG")
    w.d = ProposalFactory(round=w.open_round, lead=w.d_lead, ready=True,
                          title="Draft Dee on bus timetables", partners=[ag["PARTX"]])
    w.invitee = person("invitee", "Invitedperson", "Chodeninvitee", "INVAG")
    w.invitation = TeamMemberFactory(proposal=w.d, user=w.invitee, invited=True)
    w.d_member = TeamMemberFactory(proposal=w.d, user=person("d-team", "Ugyenteam", "Dukpa",
                                                             "DRAFTAG"))
    w.d_attachment = AttachmentFactory(proposal=w.d)

    # F funded (award, tranches, learning, recognition), R recommended, a nomination.
    w.f_lead = person("f-lead", "Phuntsholead", "Namgayf", "FUNDAG")
    w.f = ProposalFactory(round=w.round, lead=w.f_lead, funded=True, panel=w.panel,
                          title="Funded Eff on paperless permits", partners=[ag["FUNDPA"]],
                          requested_amount=Decimal("400000.00"))
    w.award = make_award(w.f, amount="400000.00", approved_by=w.fund_manager,
                         tranches=[("250000.00", "released"), ("150000.00", "scheduled")])
    w.tranches = list(w.award.tranches.order_by("sequence"))
    w.r = ProposalFactory(round=w.round, recommended=True, panel=w.panel,
                          title="Recommended Arr on water kiosks",
                          lead=person("r-lead", "Rinzinlead", "Om", "FUNDPA"),
                          partners=[ag["FUNDAG"]])
    w.learning = LearningFactory(proposal=w.f, created_by=w.f_lead, title="What permits taught",
                                 authors=[w.f_lead])
    w.learning_author = w.learning.author_rows.get(user=w.f_lead)
    w.recognition = RecognitionFactory(recipient=w.f_lead, awarded_by=w.fund_manager)
    w.nomination = NominationFactory(nominee=w.p_lead, nominated_by=w.f_lead)
    w.nomination.proposals.set([w.p])

    # The conflicted roles each prepare the round's portfolio report (a job): the
    # PDF is made for its owner. The others' job URLs name someone else's job.
    w.jobs = {}
    for role in CONFLICTED:
        user = getattr(w, role)
        # It runs once the build's on-commit callbacks run (`world`), with the notifications.
        w.jobs[role] = job_services.start_job(actor=user, kind=Job.Kind.ROUND_PORTFOLIO,
                                              params={"round": w.round.pk})
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once inside a transaction that is rolled back after the module's tests; each
    test runs in a savepoint inside it (pytest-django's `db`)."""
    media = tmp_path_factory.mktemp("conflict-roles-media")
    _ANSWERS.clear()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER,
                                   CELERY_TASK_ALWAYS_EAGER=True):
                with TestCase.captureOnCommitCallbacks(execute=True):
                    w = _build(media)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(*sys.exc_info())
            raise
    yield w
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def w(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return world


# --- filling every route's path parameters ------------------------------------------------------
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
MISSING = 999999
EXPORT_KINDS = ("agencies", "civil-servants", "contributions", "proposals", "reviews", "awards",
                "learnings")


def _params(route: str) -> list[str]:
    return [a or b for a, b in PARAM.findall(route)]


def _fill(route: str, values: dict) -> str:
    def one(match):
        return str(values[match.group(1) or match.group(2)])

    return "/" + PARAM.sub(one, route).replace("^", "").replace("$", "")


def _own_or_any(queryset, user):
    mine = queryset.filter(recipient=user).order_by("pk").first()
    return (mine or queryset.order_by("pk").first() or SimpleNamespace(pk=MISSING)).pk


def _variants(route: str, w, role: str) -> list[tuple[str, dict]]:
    """(label, values) for each way the route's parameters are filled for this role."""
    from notifications.models import Notification

    names = _params(route)
    if not names:
        return [("", {})]
    user = getattr(w, role)
    base = {n: MISSING for n in names}
    r = route

    def with_(label, **values):
        return (label, {**base, **values})

    proposals = {"P": w.p, "Q": w.q, "D": w.d, "F": w.f}
    attachments = {"P": w.p_attachment.pk, "Q": w.q_attachment.pk, "D": w.d_attachment.pk}
    members = {"P": [w.p_team.pk], "D": [w.invitation.pk, w.d_member.pk]}
    if re.match(r"(api/v1/|reviews/)?proposals/(<int:pk>|\(\?P<pk>)", r):
        out = []
        for key, proposal in proposals.items():
            for member in members.get(key, [MISSING]) if "member_pk" in names else [MISSING]:
                out.append(with_(f"{key}" + (f" member {member}" if "member_pk" in names else ""),
                                 pk=proposal.pk, attachment_pk=attachments.get(key, MISSING),
                                 member_pk=member, name="submit" if "team" not in r else "remove",
                                 transition="submit"))
        return out
    if re.match(r"(api/v1|reviews)/assignments/", r):
        return [with_(label, pk=a.pk, transition="submit_review") for label, a in (
            ("P assignment", w.p_assignments["alpha"]), ("Q assignment",
                                                         w.q_assignments["delta"]),
            ("Q open assignment", w.q_assignments["epsilon"]))]
    if r.startswith("reviews/panels/"):
        if "proposal_pk" in names:
            return [with_("Q", pk=w.panel.pk, proposal_pk=w.q.pk),
                    with_("P", pk=w.panel.pk, proposal_pk=w.p.pk)]
        return [with_("", pk=w.panel.pk)]
    if r.startswith("api/v1/panels/"):
        return [with_("", pk=w.panel.pk)]
    if "rubric/<int:pk>" in r:
        return [with_("", round_pk=w.round.pk, pk=w.criteria[0].pk)]
    if r.startswith("api/v1/criteria/"):
        return [with_("", pk=w.criteria[0].pk)]
    if re.match(r"(reviews/rounds|funds/rounds|api/v1/rounds|jobs/round-portfolio)/", r):
        return [with_("", pk=w.round.pk, round_pk=w.round.pk, name="archive",
                      transition="archive")]
    if r.startswith(("funds/", "api/v1/funds/", "awards/funds/")):
        return [with_("", pk=w.fund.pk, fund_pk=w.fund.pk)]
    if r.startswith("awards/tranches/") or r.startswith("api/v1/tranches/"):
        return [with_(f"tranche {t.sequence}", pk=t.pk, name="release", transition="release")
                for t in w.tranches]
    if r.startswith(("awards/fund/", "awards/decline/")):
        return [with_("R", pk=w.r.pk), with_("P", pk=w.p.pk)]
    if r.startswith(("awards/outcome/", "awards/close/")):
        return [with_("F", pk=w.f.pk), with_("P", pk=w.p.pk)]
    if r.startswith(("awards/<int:pk>", "api/v1/awards/")):
        return [with_("", pk=w.award.pk, name="cancel", transition="cancel")]
    if "notifications/" in r:
        return [with_("", pk=_own_or_any(Notification.objects.all(), user))]
    if r.startswith("jobs/"):
        job = w.jobs.get(role) or w.jobs["conflicted_fund_manager"]
        return [with_("", pk=job.pk if job else MISSING)]
    if r.startswith("learnings/") or r.startswith("api/v1/learnings/"):
        return [with_("", pk=w.learning.pk, author_pk=w.learning_author.pk, name="leave")]
    if r.startswith("api/v1/learning-authors/"):
        return [with_("", pk=w.learning_author.pk, transition="leave")]
    if r.startswith(("nominations/", "api/v1/nominations/")):
        return [with_("", pk=w.nomination.pk, name="endorse", transition="endorse")]
    if r.startswith("api/v1/recognitions/"):
        return [with_("", pk=w.recognition.pk)]
    if r.startswith(("people/", "api/v1/people/")):
        # P's lead, and a reviewer of P (whose record must not tie them to P).
        return [with_("P lead", pk=w.p_lead.pk), with_("reviewer alpha",
                                                      pk=w.reviewers["alpha"].pk)]
    if r.startswith("api/v1/agencies/"):
        return [with_("", pk=w.p_lead.agency_id)]
    if r.startswith("api/v1/team-members/"):
        return [with_(label, pk=m.pk, transition="accept") for label, m in (
            ("P member", w.p_team), ("D invitation", w.invitation), ("D member", w.d_member))]
    if r.startswith("password/set/"):
        return [with_("", uidb64="MQ", token="set-password")]
    if r == "data/export/360giving.<str:fmt>":
        return [with_(fmt, fmt=fmt) for fmt in ("json", "csv")]
    if r == "data/export/<slug:kind>.<str:fmt>":
        return [with_(f"{k}.csv", kind=k, fmt="csv") for k in EXPORT_KINDS] + [
            with_("reviews.xlsx", kind="reviews", fmt="xlsx")]
    return [with_("unmapped", **{n: MISSING for n in names})]


def _extra_urls(w) -> list[tuple[str, str]]:
    """Query strings that narrow lists to P (they resolve to routes listed above)."""
    return [
        ("api assignments ?proposal=P", f"/api/v1/assignments/?proposal={w.p.pk}"),
        ("api assignments ?round", f"/api/v1/assignments/?round={w.round.pk}"),
        ("api assignments ?reviewer=alpha",
         f"/api/v1/assignments/?reviewer={w.reviewers['alpha'].pk}"),
        ("api proposals ?round", f"/api/v1/proposals/?round={w.round.pk}"),
        ("api team-members ?proposal=D", f"/api/v1/team-members/?proposal={w.d.pk}"),
        ("reviews export ?round", f"/data/export/reviews.csv?round={w.round.pk}"),
        ("my assignments ?state=submitted", "/reviews/?state=submitted"),
        ("proposal list ?q", "/proposals/?q=Proposal"),
    ]


def all_urls(w, role) -> list[tuple[str, str, str]]:
    """(route, label, url) for every route of the product, filled for `role`."""
    out = []
    for route in sorted(route_coverage.all_routes()):
        variants = _variants(route, w, role)
        if route.endswith(".pdf") and (role not in CONFLICTED or route.startswith("api/")):
            variants = variants[:1]  # PDFs are slow: each kind once, every variant where
            # leaks are checked (pages); the API makes the same documents
        for label, values in variants:
            out.append((route, label, _fill(route, values)))
    out += [("", label, url) for label, url in _extra_urls(w)]
    return out


# --- requests ----------------------------------------------------------------------------------
class Clients:
    """One page client (signed in) and one API client (authenticated) for a user."""

    def __init__(self, user):
        self.page = Client(raise_request_exception=False)
        self.page.force_login(user)
        self.api = APIClient()
        self.api.raise_request_exception = False
        self.api.force_authenticate(user)

    def for_url(self, url):
        return self.api if url.startswith("/api/") else self.page


@dataclass
class Answer:
    status: int
    text: str = ""
    json: object = None
    error: str = ""
    parsed: bool = False


def body_text(response) -> tuple[str, object]:
    """The response's readable text (a PDF's text, an XLSX's cells) and its JSON, if any."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError as PdfError

        try:
            reader = PdfReader(io.BytesIO(raw))
            text = " ".join(page.extract_text() or "" for page in reader.pages)
        except PdfError:  # an uploaded attachment that only starts like a PDF
            return raw.decode("utf-8", errors="replace"), None
        return re.sub(r"\s+", " ", text), None  # PDF text breaks lines inside titles
    if raw.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)), None
    text = raw.decode("utf-8", errors="replace")
    data = None
    if "json" in response.get("Content-Type", ""):
        import json

        try:
            data = json.loads(text)
        except ValueError:
            pass
    return text, data


def request(client, url, method="get", data=None, *, parse=True, fmt="json") -> Answer:
    if method == "get":
        response = client.get(url)
    elif isinstance(client, APIClient):
        response = getattr(client, method)(url, data or {}, format=fmt)
    else:
        response = getattr(client, method)(url, data or {})
    error = ""
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        error = f"{exc[0].__name__}: {exc[1]}" if exc else response.content[:300].decode(
            errors="replace")
    if not parse or response.status_code in (301, 302, 304):
        if response.streaming:
            b"".join(response.streaming_content)  # close the file
        return Answer(response.status_code, error=error)
    text, data = body_text(response)
    return Answer(response.status_code, text, data, error, parsed=True)


# GET answers by (role, url): GETs change nothing, so a URL two tests ask for (the portfolio
# PDF in test_every_url and in ENDPOINTS) is rendered once.
_ANSWERS: dict[tuple[str, str], Answer] = {}


def get(w, role, url, *, parse=True, clients=None) -> Answer:
    cached = _ANSWERS.get((role, url))
    if cached is not None and (cached.parsed or not parse):
        return cached
    clients = clients or Clients(getattr(w, role))
    answer = request(clients.for_url(url), url, parse=parse)
    _ANSWERS[(role, url)] = answer
    return answer


# --- what a conflicted viewer must never read about P --------------------------------------------
# Pages whose purpose is to list people or a panel's membership: a reviewer's name there says
# nothing about P; there P's title must not appear beside them (see `p_leaks`). Pickers
# (<select>, <datalist>) of every civil servant are left out of every page before checking.
PEOPLE_LISTS = (
    "people/", "api/v1/people/$", "reviews/panels/<int:pk>/", "reviews/panels/<int:pk>/edit/",
    "reviews/panels/<int:pk>/plan/", "reviews/panels/<int:pk>/stand-ins/<int:proposal_pk>/",
    # The new panel form lists everyone who could sit on it, as the edit form does (issue 15).
    "reviews/rounds/<int:round_pk>/panels/new/",
    "api/v1/panels/$", "api/v1/panels/(?P<pk>[^/.]+)/$",
)


def p_markers(w) -> dict[str, str]:
    markers = {NOTE: "the comment to the panel", APPLICANT_NOTE: "the comment to the applicant"}
    for key, user in w.reviewers.items():
        for value in (user.first_name, user.last_name, user.username):
            markers[value] = f"reviewer {key}'s name"
    for number in w.p_numbers:
        markers[number] = "a score of P (a review's, the mean or the spread)"
    return markers


def p_leaks(w, route: str, label: str, answer: Answer) -> list[str]:
    """What of P's reviews `answer` shows (for a viewer with a conflict with P)."""
    text = re.sub(r"<(select|datalist)\b.*?</\1>", "", answer.text, flags=re.S)
    names_listed = route in PEOPLE_LISTS or (
        route.startswith(("people/", "api/v1/people/")) and label == "reviewer alpha") or (
        route == "data/export/<slug:kind>.<str:fmt>" and label.startswith("civil-servants"))
    found = [f"{what} ({marker!r})" for marker, what in p_markers(w).items()
             if marker in text and not (names_listed and what.startswith("reviewer"))]
    if names_listed:
        for m in re.finditer(re.escape(w.p.title), text):
            near = text[max(0, m.start() - 400): m.end() + 400]
            if any(u.first_name in near or u.username in near for u in w.reviewers.values()):
                found.append(f"P's title beside a reviewer of P: …{near[:200]!r}…")
                break
    if "ranking" in route:
        found += ranking_leaks(w, answer)
    return found


def ranking_leaks(w, answer: Answer) -> list[str]:
    """P's ranking row, page or API, has its title and state only, and no running totals."""
    if answer.status != 200:
        return []
    if isinstance(answer.json, dict) and "results" in answer.json:
        rows = [r for r in answer.json["results"] if r.get("proposal") == w.p.pk]
        found = [f"P's ranking row has {k}={row[k]!r}" for row in rows
                 for k in ("rank", "mean_weighted_score", "review_count", "spread",
                           "requested_amount", "cumulative_requested", "lead_agency")
                 if row.get(k) is not None]
        if answer.json.get("running_totals_shown"):
            found.append("running totals shown")
        return found
    table = re.search(r'<table class="ranking">.*?</table>', answer.text, re.S)
    if table and w.p.title in table.group(0):
        return ["P is a row of the ranked table"]
    return []


# --- 1 and 2: every URL, every role --------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_url(w, role):
    """GET every route as `role`: never a 500; for the two conflicted roles, nothing of P's
    reviews in any answer (pages, JSON, CSV, XLSX and PDF text; error pages too)."""
    clients = Clients(getattr(w, role))
    conflicted = role in CONFLICTED
    failures = []
    for route, label, url in all_urls(w, role):
        answer = get(w, role, url, parse=conflicted, clients=clients)
        if answer.status >= 500:
            failures.append(f"{answer.status} on GET {url} as {role}: {answer.error}")
        elif conflicted:
            failures += [f"GET {url} ({answer.status}) as {role} shows {leak}"
                         for leak in p_leaks(w, route, label, answer)]
    assert not failures, "\n".join(failures)


def test_the_markers_are_there_for_the_unconflicted(w):
    """The control: what the conflicted roles must not see is on the pages for a fund manager
    without conflict, so its absence above means something."""
    def text(url):
        return get(w, "fund_manager", url).text

    page = text(f"/reviews/proposals/{w.p.pk}/")
    assert NOTE in page and all(u.first_name in page for u in w.reviewers.values())
    assert any(n in page for n in w.p_numbers)
    api = get(w, "fund_manager", f"/api/v1/rounds/{w.round.pk}/ranking/").json
    row = next(r for r in api["results"] if r["proposal"] == w.p.pk)
    assert row["rank"] is not None and row["review_count"] == 3
    pdf = text(f"/api/v1/rounds/{w.round.pk}/portfolio.pdf")
    assert w.p.title in pdf and any(n in pdf for n in w.p_numbers), pdf
    assert NOTE in text(f"/api/v1/proposals/{w.p.pk}/reviews/")
    assert w.reviewers["alpha"].first_name in text("/data/export/reviews.csv")


# --- 3: the acting chairs ------------------------------------------------------------------------
def test_the_deputy_reads_p_reviews_and_the_conflicted_chair_does_not(w):
    url = f"/reviews/proposals/{w.p.pk}/"
    problems = []
    deputy = get(w, "deputy", url)
    if deputy.status != 200:
        problems.append(f"GET {url} as the deputy (P's acting chair): {deputy.status}")
    else:
        if NOTE not in deputy.text:
            problems.append("the deputy does not see the comments to the panel")
        if not all(u.first_name in deputy.text for u in w.reviewers.values()):
            problems.append("the deputy does not see the reviewers")
        if not any(n in deputy.text for n in w.p_numbers):
            problems.append("the deputy does not see the reviewers' scores")
    chair = get(w, "conflicted_chair", url).status
    if chair != 404:
        problems.append(f"GET {url} as the conflicted chair: {chair}")
    assert not problems, "\n".join(problems)


def _q_urls(w) -> list[str]:
    """Every URL filled with Q (or one of Q's assignments, or the stand-in page for Q)."""
    return [url for _route, label, url in all_urls(w, "stand_in") if label.startswith("Q")]


def test_the_stand_in_reads_q_reviews_and_misses_nothing_the_deputy_gets(w):
    url = f"/reviews/proposals/{w.q.pk}/"
    problems = []
    page = get(w, "stand_in", url)
    if page.status != 200:
        problems.append(f"GET {url} as the stand-in (Q's acting chair): {page.status}")
    elif "Q panel note" not in page.text:
        problems.append("the stand-in does not see Q's submitted review")
    for q_url in _q_urls(w):
        deputy = get(w, "deputy", q_url, parse=False).status
        stand_in = get(w, "stand_in", q_url, parse=False).status
        if deputy != 404 and stand_in == 404:
            problems.append(f"GET {q_url}: deputy {deputy}, stand-in 404")
    assert not problems, "\n".join(problems)


def test_the_stand_in_has_on_q_what_the_deputy_has_on_p(w):
    """The acting chair's access does not depend on which duty made them acting chair: each
    P URL the deputy (P's acting chair) gets, the stand-in (Q's) gets with Q."""
    differences = []
    p_urls = {(route, label[1:]): url for route, label, url in all_urls(w, "deputy")
              if label.startswith("P")}
    for route, label, url in all_urls(w, "stand_in"):
        if not label.startswith("Q") or (route, label[1:]) not in p_urls:
            continue
        deputy = get(w, "deputy", p_urls[(route, label[1:])], parse=False).status
        stand_in = get(w, "stand_in", url, parse=False).status
        if deputy == 200 and stand_in != 200:
            differences.append(f"deputy {deputy} on {p_urls[(route, label[1:])]}, "
                               f"stand-in {stand_in} on {url}")
    assert not differences, "\n".join(differences)


def test_ranking_rows_set_p_apart_for_conflicted_viewers(w):
    from reviews.selectors import ranking_rows

    for role in CONFLICTED:
        rows = ranking_rows(round_=w.round, viewer=getattr(w, role))
        (row,) = [r for r in rows if r["proposal"].pk == w.p.pk]
        assert row["conflict"] and row["rank"] is None, role
        assert row["review_count"] is None and row["mean_weighted_score"] is None, role
        assert row["spread"] is None and row["requested_amount"] is None, role
        assert not any(r["totals_shown"] for r in rows), role
    for role in ("deputy", "fund_manager"):
        rows = ranking_rows(round_=w.round, viewer=getattr(w, role))
        (row,) = [r for r in rows if r["proposal"].pk == w.p.pk]
        assert row["rank"] is not None and row["review_count"] == 3, role


# --- 4: the invitee reads D and changes nothing ------------------------------------------------
def _writes_on_d(w) -> list[tuple[str, str, str, dict]]:
    """(method, url, format, data): every write a lead or member makes on D."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    d, member, invitation = w.d.pk, w.d_member.pk, w.invitation.pk

    def upload():
        return SimpleUploadedFile("plan.pdf", b"%PDF-1.4 invitee", content_type="application/pdf")

    return [
        ("post", f"/proposals/{d}/edit/", "", {"title": "Changed by the invitee"}),
        ("post", f"/proposals/{d}/transitions/submit/", "", {}),
        ("post", f"/proposals/{d}/transitions/withdraw/", "", {}),
        ("post", f"/proposals/{d}/attachments/", "", {"file": upload()}),
        ("post", f"/proposals/{d}/attachments/{w.d_attachment.pk}/delete/", "", {}),
        ("post", f"/proposals/{d}/team/{member}/transitions/remove/", "", {}),
        ("post", f"/reviews/proposals/{d}/", "", {"decision": "recommend", "rationale": "x"}),
        ("patch", f"/api/v1/proposals/{d}/", "json", {"title": "Changed by the invitee"}),
        ("put", f"/api/v1/proposals/{d}/", "json", {"title": "Changed by the invitee"}),
        ("post", f"/api/v1/proposals/{d}/transitions/submit/", "json", {}),
        ("post", f"/api/v1/proposals/{d}/transitions/withdraw/", "json", {}),
        ("post", f"/api/v1/proposals/{d}/attachments/", "multipart", {"file": upload()}),
        ("post", "/api/v1/team-members/", "json",
         {"proposal": d, "user": w.fund_manager.pk, "role": "Adviser"}),
        ("post", f"/api/v1/team-members/{member}/transitions/remove/", "json", {}),
        ("post", f"/api/v1/team-members/{invitation}/transitions/remove/", "json", {}),
    ]


def test_the_invitee_reads_d(w):
    assert get(w, "invitee", f"/proposals/{w.d.pk}/").status == 200
    assert get(w, "invitee", f"/api/v1/proposals/{w.d.pk}/").status == 200
    assert get(w, "invitee", f"/proposals/{w.d.pk}/edit/").status in (403, 404)


def test_the_invitee_changes_nothing_on_d(w):
    from proposals.models import Proposal

    clients = Clients(w.invitee)
    writes = _writes_on_d(w)
    # Besides, every route on D that only takes POST (its GET answered 405), posted empty;
    # but for the invitee's own invitation, which is theirs to accept or decline.
    listed = {url for _, url, _, _ in writes}
    writes += [("post", url, "json", {}) for _route, label, url in all_urls(w, "invitee")
               if label.startswith("D") and label != "D invitation" and url not in listed
               and get(w, "invitee", url, parse=False).status == 405]
    allowed = []
    for method, url, fmt, data in writes:
        with transaction.atomic():
            answer = request(clients.for_url(url), url, method, data, fmt=fmt or "json",
                             parse=False)
            transaction.set_rollback(True)
        if answer.status not in (403, 404):
            allowed.append(f"{method.upper()} {url} as the invitee: {answer.status} "
                           f"{answer.error}")
    d = Proposal.objects.get(pk=w.d.pk)
    assert (d.title, d.state) == (w.d.title, Proposal.State.DRAFT)
    assert not allowed, "\n".join(allowed)


def test_no_notification_tells_a_conflicted_role_about_p(w):
    from notifications.models import Notification

    about_p = {f"/proposals/{w.p.pk}/"} | {f"/reviews/assignments/{a.pk}/"
                                           for a in w.p_assignments.values()}
    for role in CONFLICTED:
        told = [f"{n.title} ({n.url})" for n in Notification.objects.filter(
            recipient=getattr(w, role)) if n.url in about_p or w.p.title in n.title + n.body]
        assert not told, f"{role} is told about P: {told}"


# --- 5: the table of the most important object URLs ----------------------------------------------
# endpoint → (url(world), {role: status, "*": every other role})
ENDPOINTS = {
    "proposal page P": (lambda w: f"/proposals/{w.p.pk}/",
                        {"conflicted_chair": 404, "stand_in": 404, "invitee": 404, "*": 200}),
    "proposal page Q": (lambda w: f"/proposals/{w.q.pk}/",
                        {"conflicted_chair": 404, "deputy": 404, "invitee": 404, "*": 200}),
    "proposal page D": (lambda w: f"/proposals/{w.d.pk}/", {"invitee": 200, "*": 404}),
    "edit page D": (lambda w: f"/proposals/{w.d.pk}/edit/", {"invitee": 403, "*": 404}),
    "reviews page P": (lambda w: f"/reviews/proposals/{w.p.pk}/",
                       {"conflicted_chair": 404, "stand_in": 404, "invitee": 404, "*": 200}),
    "reviews page Q": (lambda w: f"/reviews/proposals/{w.q.pk}/",
                       {"conflicted_chair": 404, "deputy": 404, "invitee": 404, "*": 200}),
    # A stand-in acts for Q alone; the API already answers 404 for P's assignment.
    "assignment page P": (lambda w: f"/reviews/assignments/{w.p_assignments['alpha'].pk}/",
                          {"deputy": 200, "fund_manager": 200, "*": 404}),
    "assignment page Q": (lambda w: f"/reviews/assignments/{w.q_assignments['delta'].pk}/",
                          {"stand_in": 200, "conflicted_fund_manager": 200,
                           "fund_manager": 200, "*": 404}),
    "plan page": (lambda w: f"/reviews/panels/{w.panel.pk}/plan/", {"invitee": 404, "*": 200}),
    "panel page": (lambda w: f"/reviews/panels/{w.panel.pk}/", {"invitee": 404, "*": 200}),
    "ranking page": (lambda w: f"/reviews/rounds/{w.round.pk}/ranking/",
                     {"invitee": 403, "*": 200}),
    "stand-in page Q": (lambda w: f"/reviews/panels/{w.panel.pk}/stand-ins/{w.q.pk}/",
                        {"fund_manager": 200, "conflicted_fund_manager": 200, "*": 403}),
    "stand-in page P": (lambda w: f"/reviews/panels/{w.panel.pk}/stand-ins/{w.p.pk}/",
                        {"fund_manager": 200, "conflicted_fund_manager": 404, "*": 403}),
    "api proposal P": (lambda w: f"/api/v1/proposals/{w.p.pk}/",
                       {"conflicted_chair": 404, "stand_in": 404, "invitee": 404, "*": 200}),
    "api proposal Q": (lambda w: f"/api/v1/proposals/{w.q.pk}/",
                       {"conflicted_chair": 404, "deputy": 404, "invitee": 404, "*": 200}),
    "api proposal D": (lambda w: f"/api/v1/proposals/{w.d.pk}/", {"invitee": 200, "*": 404}),
    "api reviews P": (lambda w: f"/api/v1/proposals/{w.p.pk}/reviews/",
                      {"conflicted_chair": 404, "stand_in": 404, "invitee": 404, "*": 200}),
    "api reviews Q": (lambda w: f"/api/v1/proposals/{w.q.pk}/reviews/",
                      {"conflicted_chair": 404, "deputy": 404, "invitee": 404, "*": 200}),
    # An id the user may not see is refused like one that does not exist.
    "api assignments P": (lambda w: f"/api/v1/assignments/?proposal={w.p.pk}",
                             {"deputy": 200, "conflicted_fund_manager": 200,
                              "fund_manager": 200, "*": 400}),
    "api assignment P": (lambda w: f"/api/v1/assignments/{w.p_assignments['alpha'].pk}/",
                         {"deputy": 200, "fund_manager": 200, "*": 404}),
    "api ranking": (lambda w: f"/api/v1/rounds/{w.round.pk}/ranking/",
                    {"invitee": 403, "*": 200}),
    "portfolio pdf": (lambda w: f"/api/v1/rounds/{w.round.pk}/portfolio.pdf",
                      {"invitee": 403, "*": 200}),
}


@pytest.mark.parametrize("name, role", [(n, r) for n in ENDPOINTS for r in ROLES],
                         ids=[f"{n}-{r}" for n in ENDPOINTS for r in ROLES])
def test_endpoint(w, name, role):
    from urllib.parse import urlsplit

    from django.urls import resolve

    build, expected = ENDPOINTS[name]
    url = build(w)
    answer = get(w, role, url, parse=role in CONFLICTED)
    assert answer.status == expected.get(role, expected["*"]), (url, role, answer.error)
    if role in CONFLICTED:
        assert not p_leaks(w, resolve(urlsplit(url).path).route, "", answer), (url, role)
        if name.endswith(" P") and answer.status == 200 and isinstance(answer.json, dict):
            # P's reviews and assignments, as a list: empty for a conflicted viewer.
            assert not answer.json.get("count"), answer.json
            assert not answer.json.get("results"), answer.json


