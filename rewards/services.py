"""Write side of rewards: learnings, recognitions and fast-track nominations.

`NOMINATION_TRANSITIONS` maps each nomination transition name to the service that runs
it; the pages and the API look transitions up there.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from people.models import User
from proposals.models import Proposal
from workflow.bounds import visible_text_problem
from workflow.models import TransitionLog
from workflow.services import (
    TransitionStateConflict,
    after_transition,
    run_transition,
    transition_allowed_in_state,
)

from .models import (
    Learning,
    LearningAuthor,
    Nomination,
    Recognition,
    Tag,
    decision_refusal,
    endorse_refusal,
)
from .permissions import can_award_recognition, can_edit_learning, can_nominate
from .selectors import nomination_evidence_open_to, proposals_open_to_learning

LEARNING_TEXT_FIELDS = ("title", "what_we_tried", "what_happened", "what_we_learned")


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _required(value, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def parse_tags(tags) -> list[str]:
    """Tags from a list or a comma-separated string: trimmed, lower case, each once."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    names = []
    for tag in tags:
        name = " ".join(str(tag).split()).lower()
        if len(name) > 50:
            raise ValidationError({"tags": gettext("“%(name_20)s…” is too long; keep a tag under "
                                                   "50 letters.") % {"name_20": name[:20]}})
        problem = visible_text_problem(name)
        if problem:
            raise ValidationError({"tags": problem[1]})
        if name and name not in names:
            names.append(name)
    return names


def _tag_objects(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]


def _clean_learning(*, actor, proposal, fields: dict) -> dict:
    errors = {}
    for name in LEARNING_TEXT_FIELDS:
        if name in fields and not (fields[name] or "").strip():
            errors[name] = "This cannot be empty."
    if "kind" in fields and fields["kind"] not in Learning.Kind.values:
        errors["kind"] = "Choose failure, success or mixed."
    if "visibility" in fields and fields["visibility"] not in Learning.Visibility.values:
        errors["visibility"] = "Choose internal or public."
    if proposal is not None and not proposals_open_to_learning(user=actor).filter(
        pk=proposal.pk
    ).exists():
        errors["proposal"] = (
            "You can write a learning only on a proposal you lead or are on the team of."
        )
    if errors:
        raise ValidationError(errors)
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}


def _clean_co_authors(writer: User, authors: Iterable | None) -> list[User]:
    """The co-authors asked for: active people, each once, never the writer (who is always
    an author of what they wrote)."""
    people: list[User] = []
    for author in authors or []:
        user = author if isinstance(author, User) else None
        if user is None and str(author).strip().isdigit() and len(str(author).strip()) <= 18:
            user = User.objects.filter(pk=int(str(author).strip())).first()
        if user is None or not user.is_active:
            raise ValidationError({"authors": gettext("An author was not found.")})
        if user.pk != writer.pk and user.pk not in {p.pk for p in people}:
            people.append(user)
    return people


# --- co-authors by consent (DOMAIN.md, "Consent") ------------------------------------------------
ONLY_THE_WRITER_NAMES_AUTHORS = (
    "Only the person who wrote this learning invites and removes its co-authors."
)


def _log_new_invitation(author: LearningAuthor, actor, note: str = "") -> None:
    """A brand-new invitation is logged as an `invite` from no state (a re-invitation is the
    state machine's `invite`)."""
    log = TransitionLog.objects.create(
        subject=author, transition="invite", from_state="", to_state=author.state,
        actor=actor, note=note,
    )
    after_transition(log)


def _invite_author(*, actor, learning: Learning, user: User, note: str = "") -> LearningAuthor:
    author = LearningAuthor.objects.select_for_update().filter(learning=learning, user=user).first()
    now = timezone.now()
    if author is None:
        try:
            with transaction.atomic():
                author = LearningAuthor.objects.create(learning=learning, user=user,
                                                       invited_at=now)
        except IntegrityError:
            raise ValidationError({"user": gettext("%(user)s is already invited.") % {
                "user": user}}) from None
        _log_new_invitation(author, actor, note)
        return author
    if author.state == LearningAuthor.State.INVITED:
        raise ValidationError({"user": gettext("%(user)s is already invited to co-author it.") % {
            "user": user}})
    if author.state == LearningAuthor.State.ACCEPTED:
        raise ValidationError({"user": gettext("%(user)s is already an author.") % {"user": user}})
    author.invited_at = now
    run_transition(instance=author, name="invite", actor=actor, note=note)
    return author


def _add_writer(learning: Learning, actor) -> None:
    """The writer is an author of what they wrote: invited and accepting in one step, logged."""
    author = LearningAuthor.objects.create(learning=learning, user=actor,
                                           invited_at=learning.published_at)
    author.accepted_at = learning.published_at
    run_transition(instance=author, name="accept", actor=actor, note="Wrote the learning.")


def _write_co_authors(learning: Learning, wanted: list[User], actor) -> None:
    """Compare the co-authors asked for with those invited or accepted now: new people are
    invited (again, on their old row), missing ones removed, the others kept."""
    current = {
        a.user_id: a for a in LearningAuthor.objects.select_for_update()
        .filter(learning=learning).current().exclude(user_id=learning.created_by_id)
    }
    asked = {user.pk for user in wanted}
    for pk, author in current.items():
        if pk not in asked:
            run_transition(instance=author, name="remove", actor=actor)
    for user in wanted:
        if user.pk not in current:
            _invite_author(actor=actor, learning=learning, user=user)


def _current_co_author_ids(learning: Learning) -> set[int]:
    return set(learning.author_rows.current().exclude(user_id=learning.created_by_id)
               .values_list("user_id", flat=True))


@transaction.atomic
def learning_create(*, actor, title: str, what_we_tried: str, what_happened: str,
                    what_we_learned: str, kind: str, visibility: str = Learning.Visibility.INTERNAL,
                    proposal: Proposal | None = None, tags=None, authors=None) -> Learning:
    """Anyone on a proposal (or anyone, standalone) shares a learning; failures count fully."""
    if not _signed_in(actor):
        raise PermissionDenied(gettext("Sign in to share a learning."))
    fields = _clean_learning(actor=actor, proposal=proposal, fields={
        "title": title, "what_we_tried": what_we_tried, "what_happened": what_happened,
        "what_we_learned": what_we_learned, "kind": kind, "visibility": visibility,
    })
    tag_names = parse_tags(tags)
    co_authors = _clean_co_authors(actor, authors)
    learning = Learning(proposal=proposal, created_by=actor, published_at=timezone.now(), **fields)
    learning.full_clean(exclude=["created_by", "proposal"])
    learning.save()
    _add_writer(learning, actor)
    _write_co_authors(learning, co_authors, actor)
    learning.tags.set(_tag_objects(tag_names))
    return learning


@transaction.atomic
def learning_update(*, actor, learning: Learning, tags=None, authors=None,
                    proposal=..., **fields) -> Learning:
    """Accepted authors edit their learning; the proposal link follows the same rule as on
    creation. Only the writer changes who is asked to co-author it (`authors`: invitations,
    compared with those invited or accepted now); another author may send them unchanged."""
    if not can_edit_learning(actor, learning):
        raise PermissionDenied(gettext("Only the authors may edit this learning."))
    co_authors = None
    if authors is not None:
        co_authors = _clean_co_authors(learning.created_by, authors)
        if learning.created_by_id != actor.pk:
            if {u.pk for u in co_authors} != _current_co_author_ids(learning):
                raise PermissionDenied(ONLY_THE_WRITER_NAMES_AUTHORS)
            co_authors = None
    unknown = set(fields) - set(LEARNING_TEXT_FIELDS) - {"kind", "visibility"}
    if unknown:
        raise ValidationError({name: gettext("This cannot be changed here.") for name in unknown})
    new_proposal = learning.proposal if proposal is ... else proposal
    check = new_proposal if (proposal is not ... and new_proposal is not None
                             and new_proposal.pk != learning.proposal_id) else None
    fields = _clean_learning(actor=actor, proposal=check, fields=fields)
    for name, value in fields.items():
        setattr(learning, name, value)
    learning.proposal = new_proposal
    learning.full_clean(exclude=["created_by", "proposal"])
    learning.save()
    if tags is not None:
        learning.tags.set(_tag_objects(parse_tags(tags)))
    if co_authors is not None:
        _write_co_authors(learning, co_authors, actor)
    return learning


def _locked_author(author: LearningAuthor) -> LearningAuthor:
    author = LearningAuthor.objects.select_for_update().get(pk=author.pk)
    author.learning = Learning.objects.get(pk=author.learning_id)
    return author


@transaction.atomic
def learning_author_invite(*, actor, learning: Learning, user: User,
                           note: str = "") -> LearningAuthor:
    """The writer of a learning invites a colleague to co-author it (again, on the same row,
    if they once declined, left or were removed); never themselves."""
    learning = Learning.objects.select_for_update().get(pk=learning.pk)
    if not _signed_in(actor):
        raise PermissionDenied(gettext("Sign in first."))
    if learning.created_by_id != actor.pk:
        raise PermissionDenied(ONLY_THE_WRITER_NAMES_AUTHORS)
    if not isinstance(user, User) or not user.is_active:
        raise ValidationError({"user": gettext("The person was not found.")})
    if user.pk == actor.pk:
        raise ValidationError({"user": gettext("You wrote this learning; you are already its "
                                               "author.")})
    return _invite_author(actor=actor, learning=learning, user=user, note=note)


@transaction.atomic
def learning_author_accept(*, actor, author: LearningAuthor, note: str = "") -> LearningAuthor:
    """The invited person accepts to be named an author: from now on it is on their record
    and they may edit it."""
    author = _locked_author(author)
    author.accepted_at = timezone.now()
    run_transition(instance=author, name="accept", actor=actor, note=note)
    return author


@transaction.atomic
def learning_author_decline(*, actor, author: LearningAuthor, note: str = "") -> LearningAuthor:
    """The invited person declines; they are not named on the learning."""
    author = _locked_author(author)
    run_transition(instance=author, name="decline", actor=actor, note=note)
    return author


@transaction.atomic
def learning_author_leave(*, actor, author: LearningAuthor, note: str = "") -> LearningAuthor:
    """An accepted co-author stops being named on the learning (the writer stays)."""
    author = _locked_author(author)
    run_transition(instance=author, name="leave", actor=actor, note=note)
    return author


@transaction.atomic
def learning_author_remove(*, actor, author: LearningAuthor, note: str = "") -> LearningAuthor:
    """The writer removes an invitation or a co-author."""
    author = _locked_author(author)
    run_transition(instance=author, name="remove", actor=actor, note=note)
    return author


LEARNING_AUTHOR_TRANSITIONS = {
    "accept": learning_author_accept,
    "decline": learning_author_decline,
    "leave": learning_author_leave,
    "remove": learning_author_remove,
}


@transaction.atomic
def recognition_award(*, actor, recipient: User, kind: str, citation: str,
                      proposals: Iterable[Proposal] = (), learnings: Iterable[Learning] = (),
                      awarded_on=None) -> Recognition:
    """Fund managers recognise a civil servant, with a citation; never themselves."""
    if not can_award_recognition(actor):
        raise PermissionDenied(gettext("Only fund managers award recognitions."))
    errors = {}
    if recipient is None or not recipient.is_active:
        errors["recipient"] = "Choose who receives the recognition."
    elif recipient.pk == actor.pk:
        errors["recipient"] = "You cannot recognise yourself; ask another fund manager."
    if kind not in Recognition.Kind.values:
        errors["kind"] = "Choose the kind of recognition."
    if not (citation or "").strip():
        errors["citation"] = "Write the citation: what the recognition honours."
    if errors:
        raise ValidationError(errors)
    recognition = Recognition.objects.create(
        recipient=recipient, kind=kind, citation=citation.strip(), awarded_by=actor,
        awarded_on=awarded_on or timezone.localdate(),
    )
    recognition.proposals.set(list(proposals or []))
    recognition.learnings.set(list(learnings or []))
    return recognition


EVIDENCE_LABELS = {"proposals": "Proposal", "learnings": "Learning",
                   "recognitions": "Recognition"}


def _clean_evidence(*, actor, nominee: User, **named: Iterable) -> dict[str, list]:
    """Only the nominee's own work that the nominator may see: anything else would put a
    title before people who may not see it. Items are named by id, never by title."""
    allowed = nomination_evidence_open_to(viewer=actor, nominee=nominee)
    errors, clean = {}, {}
    for field, items in named.items():
        items = list(items or [])
        ids = {getattr(item, "pk", item) for item in items}
        known = set(allowed[field].filter(pk__in=[i for i in ids if str(i).isdigit()])
                    .values_list("pk", flat=True))
        refused = [
            f"{EVIDENCE_LABELS[field]} {i} is not {nominee}'s own work that you may see; "
            "name only what they led, joined, wrote or received."
            for i in sorted(ids - known, key=lambda i: (len(str(i)), str(i)))
        ]
        if refused:
            errors[field] = refused
        clean[field] = list(allowed[field].filter(pk__in=known))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def nomination_create(*, actor, nominee: User, justification: str, evidence_links: str = "",
                      proposals: Iterable[Proposal] = (), learnings: Iterable[Learning] = (),
                      recognitions: Iterable[Recognition] = ()) -> Nomination:
    """Any civil servant nominates a colleague for fast-track promotion: never themselves,
    a person has at most one open nomination, and the evidence is the nominee's own work
    that the nominator may see."""
    if not can_nominate(actor):
        raise PermissionDenied(gettext("Sign in to nominate a colleague."))
    if nominee is None or not nominee.is_active:
        raise ValidationError({"nominee": gettext("Choose the colleague you nominate.")})
    if nominee.pk == actor.pk:
        raise ValidationError({"nominee": gettext("You cannot nominate yourself; a colleague may.")})
    justification = _required(
        justification, "justification", "Say why this colleague deserves a fast-track promotion."
    )
    evidence = _clean_evidence(actor=actor, nominee=nominee, proposals=proposals,
                               learnings=learnings, recognitions=recognitions)
    # Lock the nominee's row so two colleagues nominating at once cannot both open one.
    User.objects.select_for_update().filter(pk=nominee.pk).first()
    if Nomination.objects.filter(nominee=nominee, state__in=Nomination.OPEN_STATES).exists():
        raise ValidationError({"nominee": (
            gettext("%(nominee)s already has an open nomination; it must be decided or withdrawn "
                    "before another.") % {"nominee": nominee}
        )})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                nominee=nominee, nominated_by=actor, justification=justification,
                evidence_links=(evidence_links or "").strip(),
            )
    except IntegrityError:
        raise ValidationError(
            {"nominee": gettext("%(nominee)s already has an open nomination.") % {
                "nominee": nominee}}
        ) from None
    nomination.proposals.set(evidence["proposals"])
    nomination.learnings.set(evidence["learnings"])
    nomination.recognitions.set(evidence["recognitions"])
    return nomination


def _locked(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update().get(pk=nomination.pk)


def _refuse_own_interest(nomination: Nomination, name: str, actor, refusal) -> None:
    """The state first (409), then who may act, in words saying who may act instead (403)."""
    if not transition_allowed_in_state(nomination, name):
        raise TransitionStateConflict(nomination, name)
    reason = refusal(nomination, actor)
    if reason:
        raise PermissionDenied(reason)


@transaction.atomic
def nomination_endorse(*, nomination: Nomination, actor, note: str = "") -> Nomination:
    """A fund manager endorses a nomination that is neither about them nor made by them:
    the nominee, the nominator and the endorser are three different people."""
    nomination = _locked(nomination)
    _refuse_own_interest(nomination, "endorse", actor, endorse_refusal)
    nomination.endorsed_by = actor
    run_transition(instance=nomination, name="endorse", actor=actor, note=note)
    return nomination


@transaction.atomic
def nomination_grant(*, nomination: Nomination, actor, note: str = "") -> Nomination:
    """An HR officer grants the promotion of an endorsed nomination; never the nominee, the
    nominator or the endorser."""
    nomination = _locked(nomination)
    _refuse_own_interest(nomination, "grant", actor, decision_refusal)
    nomination.decision_reason = (note or "").strip()
    run_transition(instance=nomination, name="grant", actor=actor, note=note)
    return nomination


@transaction.atomic
def nomination_not_grant(*, nomination: Nomination, actor, note: str = "",
                         reason: str = "") -> Nomination:
    """An HR officer declines an endorsed nomination, always with a reason; never the
    nominee, the nominator or the endorser."""
    nomination = _locked(nomination)
    _refuse_own_interest(nomination, "not_grant", actor, decision_refusal)
    reason = (reason or "").strip()
    nomination.decision_reason = reason
    log_note = "\n\n".join(part for part in (reason, (note or "").strip()) if part)
    run_transition(instance=nomination, name="not_grant", actor=actor, note=log_note)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, actor, note: str = "") -> Nomination:
    """The nominator withdraws a nomination before HR decides."""
    nomination = _locked(nomination)
    run_transition(instance=nomination, name="withdraw", actor=actor, note=note)
    return nomination


NOMINATION_TRANSITIONS = {
    "endorse": nomination_endorse,
    "grant": nomination_grant,
    "not_grant": nomination_not_grant,
    "withdraw": nomination_withdraw,
}
