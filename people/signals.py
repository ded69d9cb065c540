"""What people/ announces to the floors above it, which it may not import.

`agency_changed` is sent when people's agencies change (HR import, admin, API, services),
inside the transaction that changed them, so conflicts of interest are recomputed at once.
Arguments: `people` (a list of user ids), `actor` (a User or None for the product itself).
"""

from django.dispatch import Signal

agency_changed = Signal()

# Sent by people.tokens / people.token_api when an API token is made or revoked; the security
# log (securitylog/) records them.
api_token_created = Signal()  # kwargs: user, token, request
api_tokens_revoked = Signal()  # kwargs: user, count, reason, request
# Sent by people.two_factor when a person's recovery codes are replaced by new ones.
recovery_codes_replaced = Signal()  # kwargs: user, request


# --- who is making the change -------------------------------------------------------------
# A change can reach the conflict rule through a model signal (the admin, a formset) rather
# than a service that names its actor. The request being served is remembered here (by
# `people.middleware.ChangeActorMiddleware`), so the product's own follow-up work (flagging a
# conflicted assignment) is logged with the person whose change caused it. Its `user` is read
# when needed, after DRF's token authentication has set it.
from contextlib import contextmanager  # noqa: E402
from contextvars import ContextVar  # noqa: E402

_current_request: ContextVar = ContextVar("current_request", default=None)
_acting: ContextVar = ContextVar("acting", default=None)


@contextmanager
def acting_as(actor):
    """Within this block, changes are made by `actor` (services that change what the conflict
    rule reads wrap their writes in it)."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def current_request():
    """The request being served, or None (a task, the shell)."""
    return _current_request.get()


def current_actor():
    """Who is making the change: the actor a service named (`acting_as`), else the signed-in
    user of the request being served, else None (a task, the shell)."""
    actor = _acting.get()
    if actor is not None:
        return actor
    request = _current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None
