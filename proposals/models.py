from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from fund.money import MONEY, ZERO
from people.models import Agency
from workflow.bounds import LongTextField

from .lifecycle import fsm


def new_record_key() -> int:
    """A proposal's record key: a number from 0 to 255 drawn at random once, when it is
    created, and never changed (analytics/public.py: the public figures' cell keys)."""
    import secrets

    return secrets.randbelow(256)


class Proposal(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        INELIGIBLE = "ineligible", _("Ineligible")
        IN_REVIEW = "in_review", _("In review")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        RECOMMENDED = "recommended", _("Recommended")
        REJECTED = "rejected", _("Not recommended")
        FUNDED = "funded", _("Funded")
        DECLINED = "declined", _("Declined")
        OUTCOME_REPORTED = "outcome_reported", _("Outcome reported")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    EDITABLE_STATES = (State.DRAFT, State.REVISION_REQUESTED)
    REQUIRED_FIELDS = (
        "title", "summary", "problem", "hypothesis", "success_criteria", "approach",
        "citizen_engagement", "expected_outcomes", "requested_amount", "duration_months",
    )

    round = models.ForeignKey("fund.Round", on_delete=models.PROTECT, related_name="proposals")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals_led"
    )
    title = models.CharField(max_length=200)
    summary = LongTextField(blank=True)
    problem = LongTextField(blank=True)
    hypothesis = LongTextField(blank=True, help_text=_("What the experiment will test."))
    success_criteria = LongTextField(
        blank=True, help_text=_("What result would show it works, fixed before it starts.")
    )
    approach = LongTextField(blank=True)
    citizen_engagement = LongTextField(blank=True, help_text=_("How citizens co-create it."))
    expected_outcomes = LongTextField(blank=True)
    requested_amount = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    duration_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    partner_agencies = models.ManyToManyField(Agency, related_name="partnered_proposals", blank=True)
    # The panel that reviews it: set when it is sent to review (the round's only panel by
    # default); a fund manager may move it while none of its reviews is submitted.
    panel = models.ForeignKey(
        "reviews.Panel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposals",
    )
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Fixed at random at creation, never shown: the public figures' noise is drawn from the
    # sum of their proposals' record keys (analytics/public.py, cell-key perturbation).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state"]), models.Index(fields=["round", "state"]),
            # The API list's ordering and keyset (-updated_at, -id), read backwards.
            models.Index(fields=["updated_at", "id"], name="proposal_updated"),
            # The HTML lists and the home page (issue 16): the screening queue, the sections by
            # state (oldest submitted first), and All proposals' orders, each read from an
            # index a page at a time. Newest submitted first (DESC NULLS LAST, which SQLite
            # cannot index) and words of the title (trigrams): on PostgreSQL (migration 0006).
            models.Index(fields=["state", "submitted_at", "id"], name="proposal_state_submitted"),
            # A fund manager's decisions on their home page: one state, longest waiting first.
            models.Index(fields=["state", "updated_at", "id"], name="proposal_state_updated"),
            models.Index(fields=["submitted_at", "id"], name="proposal_submitted"),
            models.Index(fields=["title", "id"], name="proposal_title"),
            # The proposals an agency's people lead, read from the index alone (issue 17):
            # jobs/viewer.py's fingerprint, checked before a stored Reviewing figure is served
            # (a hash join over every proposal without it: 200 ms at 100k; 4 ms with it).
            models.Index(fields=["lead", "id"], name="proposal_lead_id"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def accepted_team(self) -> list:
        """Team members who accepted (from the prefetched `team` when there is one): only they
        are shown as the team in documents and pages; invitations are not membership."""
        return [m for m in self.team.all() if m.state == TeamMember.State.ACCEPTED]

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), ZERO)

    # The state machine: every transition's states, who may run it and its conditions are
    # declared in `lifecycle.py` (DOMAIN.md's table), with the service that runs it.
    @transition(field=state, **fsm("submit"))
    def submit(self):
        pass

    @transition(field=state, **fsm("withdraw"))
    def withdraw(self):
        pass

    @transition(field=state, **fsm("screen_out"))
    def screen_out(self):
        pass

    @transition(field=state, **fsm("send_to_review"))
    def send_to_review(self):
        pass

    @transition(field=state, **fsm("request_revision"))
    def request_revision(self):
        pass

    @transition(field=state, **fsm("recommend"))
    def recommend(self):
        pass

    @transition(field=state, **fsm("reject"))
    def reject(self):
        pass

    @transition(field=state, **fsm("fund"))
    def fund(self):
        pass

    @transition(field=state, **fsm("decline"))
    def decline(self):
        pass

    @transition(field=state, **fsm("report_outcome"))
    def report_outcome(self):
        pass

    @transition(field=state, **fsm("close"))
    def close(self):
        pass


def _is_invitee(member, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and member.user_id == user.pk)


def _is_proposal_lead(member, user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and member.proposal.lead_id == user.pk)


class TeamMemberQuerySet(models.QuerySet):
    def accepted(self):
        """Members who accepted and have not left or been removed: they hold rights and count."""
        return self.filter(state=TeamMember.State.ACCEPTED)

    def ever_accepted(self):
        """Members who once accepted: they stay conflicted with the proposal after leaving."""
        return self.filter(accepted_at__isnull=False)


class TeamMember(FSMModelMixin, models.Model):
    """A colleague named on a proposal. Being named is an invitation (DOMAIN.md, "Consent"):
    only an `accepted` member has rights, counts on records and is conflicted; anyone who
    ever accepted (`accepted_at` set) stays conflicted after leaving. Rows are never deleted;
    a person may be invited again."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(max_length=200, blank=True)
    state = FSMField(default=State.INVITED, choices=State.choices, protected=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_membership_per_person")
        ]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})" if self.role else str(self.user)

    @property
    def is_accepted(self) -> bool:
        return self.state == self.State.ACCEPTED

    @transition(field=state, source=State.INVITED, target=State.ACCEPTED, permission=_is_invitee)
    def accept(self):
        pass

    @transition(field=state, source=State.INVITED, target=State.DECLINED, permission=_is_invitee)
    def decline(self):
        pass

    @transition(field=state, source=State.ACCEPTED, target=State.LEFT, permission=_is_invitee)
    def leave(self):
        pass

    @transition(field=state, source=[State.INVITED, State.ACCEPTED], target=State.REMOVED,
                permission=_is_proposal_lead)
    def remove(self):
        pass

    @transition(field=state, source=[State.DECLINED, State.LEFT, State.REMOVED],
                target=State.INVITED, permission=_is_proposal_lead)
    def invite(self):
        pass


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        STAFF = "staff", _("Staff and allowances")
        EQUIPMENT = "equipment", _("Equipment and materials")
        TRAVEL = "travel", _("Travel")
        ENGAGEMENT = "engagement", _("Citizen engagement")
        SERVICES = "services", _("Services and contracts")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


def attachment_path(instance, filename: str) -> str:
    return f"attachments/proposal-{instance.proposal_id}/{filename}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class OutcomeReport(models.Model):
    class Result(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTLY_SUCCEEDED = "partly_succeeded", _("Partly succeeded")
        DID_NOT_SUCCEED = "did_not_succeed", _("Did not work as hoped — learning shared")

    class NextStep(models.TextChoices):
        SCALE_UP = "scale_up", _("Scale up")
        ITERATE = "iterate", _("Iterate")
        STOP = "stop", _("Stop")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="outcome_report")
    result = models.CharField(max_length=20, choices=Result.choices)
    summary = LongTextField()
    indicators = LongTextField()
    amount_spent = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.00"))])
    citizen_feedback = LongTextField()
    next_step = models.CharField(max_length=20, choices=NextStep.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Outcome of {self.proposal}"
