"""Rewards: the learnings library, recognitions and fast-track nominations (DOMAIN.md, rewards/).

A learning from an experiment that did not work counts as fully as one from a success
(the fail-safe principle): nothing here ranks people by the results of their experiments.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflow.bounds import LongTextField
from workflow.services import rule


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Learning(models.Model):
    class Kind(models.TextChoices):
        FAILURE = "failure", _("Did not work as hoped")
        SUCCESS = "success", _("Worked")
        MIXED = "mixed", _("Mixed results")

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Civil service only")
        PUBLIC = "public", _("Public")

    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT,
        related_name="learnings",
    )
    title = models.CharField(max_length=200)
    what_we_tried = LongTextField()
    what_happened = LongTextField()
    what_we_learned = LongTextField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    tags = models.ManyToManyField(Tag, related_name="learnings", blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Newest first, whatever the kind: a failure's learning is placed like a success's.
        ordering = ["-published_at", "-id"]
        # The learning library's order, a page at a time (issue 16), read backwards.
        indexes = [models.Index(fields=["published_at", "id"], name="learning_published")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def authors(self) -> list:
        """The people who accepted to be named on it (the writer first, then by acceptance).
        Reads the prefetched `author_rows` when present (`with_learning_details`)."""
        accepted = LearningAuthor.State.ACCEPTED
        rows = [row for row in self.author_rows.all() if row.state == accepted]
        rows.sort(key=lambda row: (row.user_id != self.created_by_id, row.pk))
        return [row.user for row in rows]


# --- co-authorship by consent ---------------------------------------------------------------
def _signed_in_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_named_author(author, user) -> bool:
    return _signed_in_user(user) and author.user_id == user.pk


def _is_named_author_not_writer(author, user) -> bool:
    """The writer stays the author of what they wrote; any other author may leave."""
    return _is_named_author(author, user) and author.user_id != author.learning.created_by_id


def _is_writer_about_another(author, user) -> bool:
    """The learning's writer manages its co-authors (never their own row)."""
    return (_signed_in_user(user) and author.learning.created_by_id == user.pk
            and author.user_id != user.pk)


class LearningAuthorQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(state=LearningAuthor.State.ACCEPTED)

    def current(self):
        """Invited or accepted: the co-authors the writer has asked for and not let go."""
        return self.filter(state__in=LearningAuthor.CURRENT_STATES)


class LearningAuthor(FSMModelMixin, models.Model):
    """A person named as an author of a learning. Being named is an invitation (DOMAIN.md,
    "Consent"): only an `accepted` author is shown, counts on records and may edit. The
    writer (`Learning.created_by`) invites and removes co-authors; rows are never deleted and
    a person may be invited again."""

    class State(models.TextChoices):
        # Labels differ from TeamMember's so that the API schema names each choice set apart.
        INVITED = "invited", _("Invited to co-author")
        ACCEPTED = "accepted", _("Co-author")
        DECLINED = "declined", _("Declined to co-author")
        LEFT = "left", _("Left the authors")
        REMOVED = "removed", _("Removed from the authors")

    CURRENT_STATES = (State.INVITED, State.ACCEPTED)

    learning = models.ForeignKey(Learning, on_delete=models.CASCADE, related_name="author_rows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_authorships"
    )
    state = FSMField(default=State.INVITED, choices=State.choices, protected=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = LearningAuthorQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["learning", "user"], name="one_authorship_per_person")
        ]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.user} on “{self.learning}”"

    @transition(field=state, source=State.INVITED, target=State.ACCEPTED,
                permission=_is_named_author)
    def accept(self):
        pass

    @transition(field=state, source=State.INVITED, target=State.DECLINED,
                permission=_is_named_author)
    def decline(self):
        pass

    @transition(field=state, source=State.ACCEPTED, target=State.LEFT,
                permission=_is_named_author_not_writer)
    def leave(self):
        pass

    @transition(field=state, source=[State.INVITED, State.ACCEPTED], target=State.REMOVED,
                permission=_is_writer_about_another)
    def remove(self):
        pass

    @transition(field=state, source=[State.DECLINED, State.LEFT, State.REMOVED],
                target=State.INVITED, permission=_is_writer_about_another)
    def invite(self):
        pass


class Recognition(models.Model):
    class Kind(models.TextChoices):
        INNOVATION_AWARD = "innovation_award", _("Innovation award")
        LEARNING_CHAMPION = "learning_champion", _("Learning champion")
        COLLABORATION = "collaboration", _("Collaboration")
        REVIEWER_SERVICE = "reviewer_service", _("Reviewer service")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognitions"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    citation = LongTextField()
    proposals = models.ManyToManyField(
        "proposals.Proposal", related_name="recognitions", blank=True
    )
    learnings = models.ManyToManyField(Learning, related_name="recognitions", blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognitions_awarded"
    )
    awarded_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.recipient}"


# --- the nomination state machine's permissions and conditions -----------------------------
def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# The nominee, the nominator and the endorser are three different people, and none of them
# endorses or decides that nomination (DOMAIN.md, rewards/ and "No one decides on their own
# interest"). Each refusal says who may act instead; the permission is "no refusal", so the
# buttons offered (`available_transitions`) and the refusals always agree.
def endorse_refusal(nomination, user) -> str | None:
    """Why `user` may not endorse `nomination`, or None when they may."""
    if not (_signed_in(user) and user.is_fund_manager):
        return "Only a fund manager may endorse a nomination."
    if nomination.nominee_id == user.pk:
        return ("You are the subject of this nomination. Another fund manager must endorse "
                "this nomination.")
    if nomination.nominated_by_id == user.pk:
        return "You made this nomination. Another fund manager must endorse this nomination."
    return None


def decision_refusal(nomination, user) -> str | None:
    """Why `user` may not grant or decline `nomination`, or None when they may."""
    if not (_signed_in(user) and user.is_hr_officer):
        return "Only an HR officer may decide on a nomination."
    if nomination.nominee_id == user.pk:
        return "You are the subject of this nomination. Another HR officer must decide on it."
    if nomination.nominated_by_id == user.pk:
        return "You made this nomination. Another HR officer must decide on it."
    if nomination.endorsed_by_id == user.pk:
        return "You endorsed this nomination. Another HR officer must decide on it."
    return None


def is_unconflicted_fund_manager(nomination, user) -> bool:
    """A fund manager who is neither the nominee nor the nominator."""
    return endorse_refusal(nomination, user) is None


def is_unconflicted_hr_officer(nomination, user) -> bool:
    """An HR officer who is neither the nominee, the nominator nor the endorser."""
    return decision_refusal(nomination, user) is None


def is_nominator(nomination, user) -> bool:
    return _signed_in(user) and nomination.nominated_by_id == user.pk


@rule("state")
def endorsed_first(nomination):
    if nomination.state != Nomination.State.ENDORSED:
        return "A fund manager must endorse this nomination before HR decides on it."
    return None


@rule("reason")
def reason_given(nomination):
    if not (nomination.decision_reason or "").strip():
        return "Give the reason the promotion is not granted; the nominee will read it."
    return None


class Nomination(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        ENDORSED = "endorsed", _("Endorsed")
        GRANTED = "granted", _("Granted")
        NOT_GRANTED = "not_granted", _("Not granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = (State.NOMINATED, State.ENDORSED)

    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_made"
    )
    justification = LongTextField()
    evidence_links = LongTextField(
        blank=True, help_text=_("Links or references to further evidence, one a line.")
    )
    proposals = models.ManyToManyField(
        "proposals.Proposal", related_name="nominations", blank=True
    )
    learnings = models.ManyToManyField(Learning, related_name="nominations", blank=True)
    recognitions = models.ManyToManyField(Recognition, related_name="nominations", blank=True)
    decision_reason = LongTextField(blank=True)
    # Who endorsed it (set by `nomination_endorse`): never the one who decides on it.
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="nominations_endorsed",
    )
    state = FSMField(default=State.NOMINATED, choices=State.choices, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominee"],
                condition=Q(state__in=["nominated", "endorsed"]),
                name="one_open_nomination_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(nominee=F("nominated_by")), name="nomination_not_of_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"Nomination of {self.nominee}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @transition(
        field=state, source=State.NOMINATED, target=State.ENDORSED,
        permission=is_unconflicted_fund_manager,
    )
    def endorse(self):
        pass

    # `grant` and `not_grant` accept a nomination not yet endorsed so that the refusal is
    # explained (400, "endorse first") rather than a bare state conflict.
    @transition(
        field=state, source=[State.NOMINATED, State.ENDORSED], target=State.GRANTED,
        conditions=[endorsed_first], permission=is_unconflicted_hr_officer,
    )
    def grant(self):
        pass

    @transition(
        field=state, source=[State.NOMINATED, State.ENDORSED], target=State.NOT_GRANTED,
        conditions=[endorsed_first, reason_given], permission=is_unconflicted_hr_officer,
    )
    def not_grant(self):
        pass

    @transition(
        field=state, source=[State.NOMINATED, State.ENDORSED], target=State.WITHDRAWN,
        permission=is_nominator,
    )
    def withdraw(self):
        pass
