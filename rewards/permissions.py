"""Who may see and change rewards objects: one function each, used by pages, API and PDFs."""

from .models import Learning, Nomination, Recognition


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _privileged(user) -> bool:
    return user.is_fund_manager or user.is_hr_officer


def can_view_record(user, person) -> bool:
    """A civil servant's innovation record: the person, fund managers and HR officers."""
    if not _signed_in(user):
        return False
    return user.pk == person.pk or _privileged(user)


def can_view_people_list(user) -> bool:
    """The list of civil servants with their records: those who may see every record."""
    return _signed_in(user) and _privileged(user)


def can_view_learning(user, learning: Learning) -> bool:
    """Public learnings are readable by anyone; the others by any signed-in civil servant."""
    return learning.is_public or _signed_in(user)


def can_edit_learning(user, learning: Learning) -> bool:
    """Authors who accepted to be named edit their learning (an invitee reads it, to decide)."""
    return _signed_in(user) and any(a.pk == user.pk for a in learning.authors)


def can_name_co_authors(user, learning: Learning | None) -> bool:
    """The writer of a learning (anyone writing a new one) invites and removes co-authors."""
    return _signed_in(user) and (learning is None or learning.created_by_id == user.pk)


def can_award_recognition(user) -> bool:
    return _signed_in(user) and user.is_fund_manager


def can_view_recognition(user, recognition: Recognition) -> bool:
    """A recognition is part of the recipient's record: the recipient, FMs and HR see it."""
    if not _signed_in(user):
        return False
    return recognition.recipient_id == user.pk or _privileged(user)


def can_nominate(user) -> bool:
    return _signed_in(user)


def can_view_nomination(user, nomination: Nomination) -> bool:
    """The nominee, the nominator, fund managers and HR officers."""
    if not _signed_in(user):
        return False
    return user.pk in (nomination.nominee_id, nomination.nominated_by_id) or _privileged(user)
