"""Who is told what: the notice table, one row per (model, transition or event).

Read it like a table: `("proposals.proposal", "submit")` → the lead and team get a
receipt and the fund managers a proposal to screen. Models are named by their
`app_label.model` string, so a row may name a model that does not exist yet; it is
simply never matched until it does. To tell someone about a new transition, add a
row here; nothing else changes.

Two rules hold for every text here, and tests check them:
- no notice names a person (a reviewer is never told another reviewer's name, and
  an applicant never learns who reviewed them);
- the only free text copied into a notice is the transition's note, and only on rows
  where `note_label` is set: notes the actor writes for the recipients (a screening
  reason, a revision message, a decision rationale). Review comments, and above all
  the confidential `comment_to_panel`, are never read here.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from people.models import FUND_MANAGERS, HR_OFFICERS
from workflow.display import deadline

Audience = Callable[[Any], Iterable[Any]]


# --- audiences: who a notice goes to, given the object it is about ---------------------------
def proposal_of(subject):
    """The proposal an object is about: a proposal, an assignment, an award or a tranche."""
    label = subject._meta.label_lower
    if label == "proposals.proposal":
        return subject
    if label == "fund.tranche":
        return subject.award.proposal
    return getattr(subject, "proposal", None)


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def applicants(subject) -> list:
    """The proposal's lead and accepted team members (an invitee is not one yet)."""
    proposal = proposal_of(subject)
    users = [proposal.lead] + [m.user for m in proposal.team.accepted().select_related("user")]
    return [u for u in users if u.is_active]


def _on_proposal_ids(subject) -> set[int]:
    """The lead and everyone who ever accepted to join the team: conflicted for good."""
    proposal = proposal_of(subject) if subject is not None else None
    if proposal is None:
        return set()
    return {proposal.lead_id, *proposal.team.ever_accepted().values_list("user_id", flat=True)}


def fund_managers(subject) -> list:
    """Fund managers, except those on the proposal (a role never reaches past a conflict)."""
    conflicted = _on_proposal_ids(subject)
    if subject._meta.label_lower == "rewards.nomination":
        conflicted = {subject.nominee_id}
    users = _active_users().filter(groups__name=FUND_MANAGERS).exclude(pk__in=conflicted)
    return list(users.distinct())


def fund_managers_if_it_was_submitted(proposal) -> list:
    """A withdrawn draft was never theirs to see; a withdrawn submission leaves their queue."""
    return fund_managers(proposal) if proposal.submitted_at else []


def hr_officers(subject) -> list:
    """HR officers, never about their own nomination."""
    users = _active_users().filter(groups__name=HR_OFFICERS)
    if subject._meta.label_lower == "rewards.nomination":
        users = users.exclude(pk=subject.nominee_id)
    return list(users.distinct())


def round_chairs(subject) -> list:
    """Chairs of the panels of the proposal's round who have no conflict with it."""
    from proposals.conflicts import has_conflict
    from reviews.models import Panel

    proposal = proposal_of(subject)
    chairs = {p.chair for p in Panel.objects.filter(round=proposal.round).select_related("chair")}
    return [c for c in chairs if c.is_active and not has_conflict(c, proposal)]


def assigned_reviewer(assignment) -> list:
    return [assignment.reviewer]


def assignment_chair(assignment) -> list:
    """The proposal's acting chair (chair, deputy or stand-in without a conflict), if any."""
    from reviews.chairs import acting_chair

    chair = acting_chair(assignment.proposal)
    return [chair] if chair is not None and chair.is_active else []


def acting_chair_and_fund_managers(assignment) -> list:
    """Whoever must find another reviewer: the acting chair and the unconflicted fund managers
    (administrators when every fund manager is conflicted)."""
    from proposals.conflicts import has_conflict

    proposal = assignment.proposal
    people = {u.pk: u for u in assignment_chair(assignment)}
    managers = [u for u in _active_users().filter(groups__name=FUND_MANAGERS).distinct()
                if not has_conflict(u, proposal)]
    if not managers:
        managers = [u for u in _active_users().filter(is_superuser=True)
                    if not has_conflict(u, proposal)]
    for user in managers:
        people.setdefault(user.pk, user)
    return list(people.values())


def invitee(row) -> list:
    """The person a team membership or learning co-authorship row names."""
    return [row.user] if row.user.is_active else []


def proposal_lead(member) -> list:
    return [member.proposal.lead] if member.proposal.lead.is_active else []


def learning_writer(author) -> list:
    writer = author.learning.created_by
    return [writer] if writer is not None and writer.is_active else []


def nominee(nomination) -> list:
    return [nomination.nominee]


def nominator(nomination) -> list:
    return [nomination.nominated_by]


def everyone(subject) -> list:
    """Every active civil servant (a round that opens is news to all of them)."""
    return list(_active_users())


def draft_teams_of_round(round_) -> list:
    """Leads and team members of proposals still in draft in the round."""
    from proposals.models import Proposal, TeamMember

    drafts = Proposal.objects.filter(round=round_, state=Proposal.State.DRAFT)
    ids = set(drafts.values_list("lead_id", flat=True))
    members = TeamMember.objects.accepted().filter(proposal__in=drafts)
    ids |= set(members.values_list("user_id", flat=True))
    return list(_active_users().filter(pk__in=ids))


# --- who may be told at all: the one filter every audience passes through ----------------------
def _applicant_audiences() -> tuple:
    """Audiences of the proposal's own people, told about it as applicants."""
    return (applicants,)


def _names_the_subject(notice: Notice) -> bool:
    """Whether the notice says anything of its proposal: its title or round, or a note."""
    text = f"{notice.title} {notice.body}"
    return bool(notice.note_label) or any(
        "{" + name in text for name in ("proposal", "round", "amount", "sequence", "due_on")
    )


def _may_be_told(users: Iterable[Any], subject, notice: Notice) -> list:
    """`users` less anyone who may not hear about the subject's proposal: an inactive person,
    and, except for the applicants' own notices, anyone with a conflict of interest with it
    (DOMAIN.md: a conflicted person hears nothing of a proposal's review; a role never reaches
    past a conflict). The audiences already name only people whose role lets them see the
    proposal; this is where a conflict stops them, whatever the audience. Two kinds of notice
    pass: one about a team membership (an invitation is the invitee's own business, whatever
    their agency), and one that names nothing of the proposal (say, telling a reviewer that a
    conflict ended their assignment)."""
    from proposals.conflicts import has_conflict
    from proposals.models import Proposal

    people = [u for u in users if u is not None and u.is_active]
    label = subject._meta.label_lower
    proposal = proposal_of(subject) if label != "rewards.nomination" else None
    if (proposal is None or label == "proposals.teammember"
            or notice.audience_function in _applicant_audiences()
            or not _names_the_subject(notice)):
        return people
    proposal = (Proposal.objects.select_related("lead")
                .prefetch_related("team", "partner_agencies").get(pk=proposal.pk))
    return [u for u in people if not has_conflict(u, proposal)]


# --- what a notice says ------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    """One line of the table: to `audience`, say `title` and `body`.

    Texts are `str.format` templates filled from `context(subject)`; a missing key
    shows as empty rather than failing. `note_label` copies the transition's note
    under that label (only where the note is written for these recipients).
    """

    audience: Audience
    title: str
    body: str
    note_label: str = ""

    def __post_init__(self):
        # Recipients are chosen here, once: whatever the audience names goes through
        # `_may_be_told` before anyone is told (the notification services call `audience`).
        chosen = getattr(self.audience, "audience_function", self.audience)
        object.__setattr__(self, "audience_function", chosen)

        def audience(subject, _notice=self):
            return _may_be_told(chosen(subject), subject, _notice)

        audience.audience_function = chosen
        object.__setattr__(self, "audience", audience)


def _day(value) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%b %Y}"


def _money(amount, currency: str = "BTN") -> str:
    return f"{currency or 'BTN'} {amount:,.2f}" if amount is not None else ""


def context(subject) -> dict[str, Any]:
    """The words a notice may use about its subject: titles, dates, amounts, never names."""
    label = subject._meta.label_lower
    ctx: dict[str, Any] = {}
    proposal = proposal_of(subject) if label != "rewards.nomination" else None
    if proposal is not None:
        ctx.update(proposal=proposal.title, round=proposal.round.title)
    if label == "fund.round":
        ctx.update(round=subject.title, closes_at=deadline(subject.closes_at))
    elif label == "fund.tranche":
        currency = subject.award.proposal.round.fund.currency
        ctx.update(sequence=subject.sequence, amount=_money(subject.amount, currency))
    elif label == "fund.award":
        ctx.update(amount=_money(subject.amount, subject.proposal.round.fund.currency))
    elif label == "reviews.assignment":
        ctx.update(due_on=_day(subject.due_on))
    elif label == "rewards.nomination":
        ctx.update(reason=getattr(subject, "decision_reason", ""))
    elif label == "rewards.learningauthor":
        ctx.update(learning=subject.learning.title)
    return ctx


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(text: str, ctx: dict) -> str:
    return string.Formatter().vformat(str(text), (), _Blank(ctx))


# --- the table -----------------------------------------------------------------------------------
TRANSITION_NOTICES: dict[tuple[str, str], list[Notice]] = {
    # proposals ------------------------------------------------------------------------------
    ("proposals.proposal", "submit"): [
        Notice(applicants, _("Proposal received: {proposal}"),
               _("“{proposal}” was submitted to {round}. The fund managers will screen it; "
               "you will hear from us when it moves on.")),
        Notice(fund_managers, _("New proposal to screen: {proposal}"),
               _("“{proposal}” was submitted to {round} and waits for screening.")),
    ],
    ("proposals.proposal", "withdraw"): [
        Notice(fund_managers_if_it_was_submitted, _("Proposal withdrawn: {proposal}"),
               _("“{proposal}” in {round} was withdrawn by its team and leaves the fund's work.")),
    ],
    ("proposals.proposal", "screen_out"): [
        Notice(applicants, _("Proposal not eligible: {proposal}"),
               _("“{proposal}” was screened out of {round} and will not go to review."),
               note_label=_("Reason")),
    ],
    ("proposals.proposal", "send_to_review"): [
        Notice(applicants, _("Proposal sent to review: {proposal}"),
               _("“{proposal}” passed screening and goes to a review panel. "
               "Open the proposal to see its history and what happens next.")),
        Notice(round_chairs, _("Proposal ready for your panel: {proposal}"),
               _("“{proposal}” in {round} is in review: assign reviewers.")),
    ],
    ("proposals.proposal", "request_revision"): [
        Notice(applicants, _("Revision requested: {proposal}"),
               _("The review panel asks you to revise “{proposal}” and submit it again."),
               note_label=_("What to revise")),
    ],
    ("proposals.proposal", "recommend"): [
        Notice(applicants, _("Proposal recommended for funding: {proposal}"),
               _("The review panel recommended “{proposal}”. The fund managers decide on "
               "funding next."), note_label=_("The panel's rationale")),
        Notice(fund_managers, _("Recommended proposal to decide: {proposal}"),
               _("The panel recommended “{proposal}” in {round}: fund or decline it.")),
    ],
    ("proposals.proposal", "reject"): [
        Notice(applicants, _("Proposal not recommended: {proposal}"),
               _("The review panel did not recommend “{proposal}”. The reviewers' comments "
               "to you are on the proposal's page."), note_label=_("The panel's rationale")),
    ],
    ("proposals.proposal", "fund"): [
        Notice(applicants, _("Proposal funded: {proposal}"),
               _("“{proposal}” is funded. The award and its tranches are on the proposal's page."),
               note_label=_("Note")),
    ],
    ("proposals.proposal", "decline"): [
        Notice(applicants, _("Proposal declined: {proposal}"),
               _("The fund managers could not fund “{proposal}”."), note_label=_("Reason")),
    ],
    ("proposals.proposal", "report_outcome"): [
        Notice(fund_managers, _("Outcome report to accept: {proposal}"),
               _("The team of “{proposal}” reported its outcome.")),
    ],
    ("proposals.proposal", "close"): [
        Notice(applicants, _("Outcome report accepted: {proposal}"),
               _("The fund accepted the outcome report of “{proposal}”; the experiment is "
               "closed. Thank you for sharing what you learned."), note_label=_("Note")),
    ],
    # rounds ------------------------------------------------------------------------------------
    ("fund.round", "open"): [
        Notice(everyone, _("Round open for proposals: {round}"),
               _("{round} takes proposals until {closes_at}. Team up with colleagues from "
               "other agencies and propose an experiment.")),
    ],
    ("fund.round", "close"): [
        Notice(fund_managers, _("Round closed: {round}"),
               _("{round} closed for proposals; submitted proposals wait for screening.")),
        Notice(draft_teams_of_round, _("Round closed: {round}"),
               _("{round} closed before your draft was submitted; it can no longer be submitted.")),
    ],
    # awards and tranches ---------------------------------------------------------------------------
    ("fund.tranche", "release"): [
        Notice(applicants, _("Tranche {sequence} released: {proposal}"),
               _("{amount} for “{proposal}” was released. Report the milestone when it is "
               "reached."), note_label=_("Note")),
    ],
    ("fund.tranche", "report_milestone"): [
        Notice(fund_managers, _("Milestone reported: {proposal}"),
               _("The team of “{proposal}” reported the milestone of tranche {sequence}.")),
    ],
    # reviews -----------------------------------------------------------------------------------------
    ("reviews.assignment", "submit_review"): [
        Notice(assignment_chair, _("Review submitted: {proposal}"),
               _("A review of “{proposal}” was submitted.")),
    ],
    ("reviews.assignment", "declare_conflict"): [
        Notice(assignment_chair, _("Conflict declared: {proposal}"),
               _("A reviewer declared a conflict of interest on “{proposal}”; assign another "
               "reviewer.")),
    ],
    # consent: being named on someone else's work is an invitation ---------------------------
    ("proposals.teammember", "invite"): [
        Notice(invitee, _("Invitation to join a proposal's team: {proposal}"),
               _("You are invited to join the team of “{proposal}”. Read it and accept or "
               "decline on your home page; it counts on your record only once you accept.")),
    ],
    ("proposals.teammember", "accept"): [
        Notice(proposal_lead, _("Your invitation was accepted: {proposal}"),
               _("A colleague accepted your invitation to join the team of “{proposal}”.")),
    ],
    ("proposals.teammember", "decline"): [
        Notice(proposal_lead, _("Your invitation was declined: {proposal}"),
               _("A colleague declined your invitation to join the team of “{proposal}”, or it "
               "lapsed when the proposal was submitted.")),
    ],
    ("rewards.learningauthor", "invite"): [
        Notice(invitee, _("Invitation to co-author a learning: {learning}"),
               _("You are named as a co-author of the learning “{learning}”. Accept or decline "
               "on your home page; it counts on your record only once you accept.")),
    ],
    ("rewards.learningauthor", "accept"): [
        Notice(learning_writer, _("Co-authorship accepted: {learning}"),
               _("A colleague accepted to co-author the learning “{learning}”.")),
    ],
    ("reviews.assignment", "flag_conflict"): [
        Notice(assigned_reviewer, _("Your assignment ended: a conflict of interest arose"),
               _("A change to a proposal or to your agency gave you a conflict of interest with "
               "a proposal you were assigned. Your assignment has ended and your review, if "
               "you submitted one, no longer counts.")),
        Notice(acting_chair_and_fund_managers, _("A reviewer has a conflict: {proposal}"),
               _("A change gave one of the reviewers of “{proposal}” a conflict of interest; "
               "their review no longer counts. Assign another reviewer.")),
    ],
    # nominations (rewards) -----------------------------------------------------------------------------
    ("rewards.nomination", "endorse"): [
        Notice(hr_officers, _("Nomination to decide"),
               _("A fund manager endorsed a fast-track nomination; it waits for your decision.")),
        Notice(nominator, _("Your nomination was endorsed"),
               _("A fund manager endorsed your nomination; HR officers decide next.")),
    ],
    ("rewards.nomination", "grant"): [
        Notice(nominee, _("Fast-track promotion granted"),
               _("HR granted the fast-track promotion you were nominated for. Congratulations.")),
        Notice(nominator, _("Your nomination was granted"),
               _("HR granted the fast-track promotion you nominated a colleague for.")),
    ],
    ("rewards.nomination", "not_grant"): [
        Notice(nominee, _("Fast-track promotion not granted"),
               _("HR decided not to grant the fast-track promotion you were nominated for.\n\n"
               "Reason: {reason}")),
        Notice(nominator, _("Your nomination was not granted"),
               _("HR decided not to grant the nomination you made.\n\nReason: {reason}")),
    ],
}

# Things that are not transitions: an object coming into being.
EVENT_NOTICES: dict[tuple[str, str], list[Notice]] = {
    ("reviews.assignment", "created"): [
        Notice(assigned_reviewer, _("Assigned for review: {proposal}"),
               _("You are asked to review “{proposal}” in {round} by {due_on}. Declare a "
               "conflict of interest first if you have one.")),
    ],
    ("rewards.nomination", "created"): [
        Notice(fund_managers, _("Nomination to endorse"),
               _("A civil servant was nominated for fast-track promotion; the nomination "
               "waits for a fund manager's endorsement.")),
    ],
}

# Reminders (see services.send_reminders): kind → what it says. One per object per day.
REMINDER_NOTICES: dict[str, Notice] = {
    "reminder.review_due": Notice(
        assigned_reviewer, _("Review due {due_on}: {proposal}"),
        _("Your review of “{proposal}” is due on {due_on}.")),
    "reminder.review_overdue": Notice(
        assigned_reviewer, _("Review overdue: {proposal}"),
        _("Your review of “{proposal}” was due on {due_on}. Submit it, or declare a conflict "
        "if you cannot review it.")),
    "reminder.outcome_report_due": Notice(
        applicants, _("Outcome report due: {proposal}"),
        _("The funded experiment “{proposal}” has reached its end: report its outcome, "
        "whatever the result. An experiment that did not work as hoped is a learning worth "
        "sharing.")),
}


# --- where a notice links to -------------------------------------------------------------------
URL_NAMES: dict[str, list[str]] = {
    "proposals.proposal": ["proposals:detail", "proposals:proposal_detail"],
    "fund.round": ["fund:round_detail", "fund:round"],
    "fund.award": ["awards:detail", "awards:award_detail"],
    "reviews.assignment": ["reviews:assignment_detail", "reviews:assignment", "reviews:detail"],
    "rewards.nomination": ["rewards:nomination_detail", "rewards:nomination"],
    "rewards.learning": ["rewards:learning_detail", "rewards:learning"],
}


def subject_url(subject) -> str:
    """The page of the object (or, failing that, of its proposal); empty when there is none."""
    if hasattr(subject, "get_absolute_url"):
        return subject.get_absolute_url()
    label = subject._meta.label_lower
    if label == "fund.tranche":
        return subject_url(subject.award)
    if label == "rewards.learningauthor":
        return subject_url(subject.learning)
    for name in URL_NAMES.get(label, []):
        try:
            return reverse(name, args=[subject.pk])
        except NoReverseMatch:
            continue
    proposal = proposal_of(subject) if label != "rewards.nomination" else None
    if proposal is not None and proposal is not subject:
        return subject_url(proposal)
    return ""


def notices_for_transition(label: str, transition: str) -> list[Notice]:
    return TRANSITION_NOTICES.get((label, transition), [])


def notices_for_event(label: str, event: str) -> list[Notice]:
    return EVENT_NOTICES.get((label, event), [])
