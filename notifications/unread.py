"""The unread count on every page, kept in the shared cache per person (issue 16).

`selectors.unread_count` is exact: the person's unread notifications less those about the
review of a proposal they now have a conflict with (`selectors._about_conflicted_reviews`).
Counting it is a query whose filter (the conflict rule, the applicant rule, the assignments of
conflicted proposals) costs several milliseconds to build and run, on every page. So the count
is kept in the cache (`UNREAD_COUNT_CACHE_SECONDS`), under a key that holds two versions:

- the person's version, renewed whenever one of their notifications is created, read,
  changed or deleted (`NotificationQuerySet`, and model signals for `save()`/`delete()`);
- the conflicts version, one for everyone, renewed whenever an input of the conflict or
  applicant rule changes: the channels the living conflicts listen to
  (`proposals.conflicts.parties_changed`, `people.signals.agency_changed`), and as a net a
  proposal saved or deleted (its lead), a team member saved or deleted, partner agencies
  changed, a person's agency saved, an assignment's proposal or reviewer saved or an
  assignment deleted (`connect()`).

A version is renewed when the write commits (at once outside a transaction): a count read by
anyone before that was read from the committed data, which the write had not changed yet.
Inside the writing transaction the count of the people it touched is asked of the database
(its writes are not yet committed; a rollback then leaves nothing behind in the cache). A new
version is a random token, never a counter that could come back after the cache dropped it; a
missing version is created afresh, which orphans whatever was cached before. So a count is
never stale: it changes with the write that changes it.

Off (0) when the cache is this process's own memory (no `CACHE_URL`): a version renewed by one
process would not be seen by another, so the count is then asked each time.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

CONFLICTS_KEY = "notifications:unread:conflicts"


def _person_key(user_id) -> str:
    return f"notifications:unread:person:{user_id}"


def enabled() -> bool:
    return settings.UNREAD_COUNT_CACHE_SECONDS > 0


def _pending() -> set:
    """The keys renewed by writes of this connection's open transaction: until it ends, this
    connection counts those people afresh (its own writes are not yet everyone's)."""
    pending = getattr(connection, "_unread_pending", None)
    if pending is None:
        pending = connection._unread_pending = set()
    return pending


def _renew(keys: list[str]) -> None:
    def renew():
        cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)

    if connection.in_atomic_block:
        _pending().update(keys)
    transaction.on_commit(renew)  # at once outside a transaction


def people_changed(user_ids) -> None:
    """Some of these people's notifications were created, read, changed or deleted."""
    if not enabled():
        return
    keys = [_person_key(pk) for pk in {pk for pk in user_ids if pk is not None}]
    if keys:
        _renew(keys)


def conflicts_changed(*args, **kwargs) -> None:
    """An input of the conflict or applicant rule changed, for someone: every count is asked
    again. Takes any signal's arguments."""
    if enabled():
        _renew([CONFLICTS_KEY])


def _version(key: str, found: dict) -> str:
    if key in found:
        return found[key]
    cache.add(key, secrets.token_hex(8), timeout=None)
    return cache.get(key) or secrets.token_hex(8)


def cached_count(user, count) -> int:
    """`count()` for `user`, from the cache while neither version changed."""
    if not enabled():
        return count()
    person = _person_key(user.pk)
    pending = _pending()
    if not connection.in_atomic_block:
        pending.clear()  # the transaction ended: committed (renewed) or rolled back (nothing)
    elif person in pending or CONFLICTS_KEY in pending:
        return count()  # this transaction changed it: the cache is for committed data
    found = cache.get_many([person, CONFLICTS_KEY])
    key = (
        f"notifications:unread:{user.pk}:{_version(person, found)}:{_version(CONFLICTS_KEY, found)}"
    )
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, timeout=settings.UNREAD_COUNT_CACHE_SECONDS)
    return value


# --- what renews the versions (connected in apps.py) -----------------------------------------
def _notification_written(sender, instance, raw=False, **kwargs) -> None:
    people_changed([instance.recipient_id])


def _changed_unless_fields(*names):
    """A post_save receiver renewing the conflicts version unless `save(update_fields=...)`
    named none of `names`."""

    def receiver(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
        if created and sender._meta.model_name != "teammember":
            return  # a new proposal, person or assignment has no notification about it yet
        if update_fields is not None and not set(update_fields) & set(names):
            return
        conflicts_changed()

    return receiver


_proposal_saved = _changed_unless_fields("lead", "lead_id")
_user_saved = _changed_unless_fields("agency", "agency_id")
_assignment_saved = _changed_unless_fields("proposal", "proposal_id", "reviewer", "reviewer_id")
_team_member_saved = _changed_unless_fields(
    "user", "user_id", "proposal", "proposal_id", "accepted_at", "state"
)


def _partners_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        conflicts_changed()


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from people.models import User
    from people.signals import agency_changed
    from proposals.conflicts import parties_changed
    from proposals.models import Proposal, TeamMember
    from reviews.models import Assignment

    # The model by its label (a lazy sender): notifications.models calls this module.
    notification = "notifications.Notification"
    post_save.connect(_notification_written, sender=notification, dispatch_uid="unread:n-save")
    post_delete.connect(_notification_written, sender=notification, dispatch_uid="unread:n-del")
    parties_changed.connect(conflicts_changed, dispatch_uid="unread:parties")
    agency_changed.connect(conflicts_changed, dispatch_uid="unread:agency")
    m2m_changed.connect(
        _partners_changed, sender=Proposal.partner_agencies.through, dispatch_uid="unread:partners"
    )
    post_save.connect(_proposal_saved, sender=Proposal, dispatch_uid="unread:proposal")
    post_save.connect(_user_saved, sender=User, dispatch_uid="unread:user")
    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid="unread:assignment")
    post_save.connect(_team_member_saved, sender=TeamMember, dispatch_uid="unread:team")
    for model in (Proposal, TeamMember, Assignment, User):
        post_delete.connect(
            conflicts_changed, sender=model, dispatch_uid=f"unread:del:{model._meta.label}"
        )
