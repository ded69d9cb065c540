"""What writes the security log: receivers of Django's, axes', people's and other apps' signals,
connected by `SecurityLogConfig.ready()`.

This app stands on the ground floor: it imports people and libraries only, and listens to the
models of the apps above it by lazy sender strings ("reviews.Panel").

Who did it (`actor`): the person a service named (`people.signals.acting_as`), else the
signed-in user of the request being served (`ChangeActorMiddleware`), else the person the
signal names (a sign-in, a token asked for), else nobody (a task, the shell).
"""

import ipaddress
from contextvars import ContextVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, get_hasher, identify_hasher
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from people.models import FUND_MANAGERS, HR_OFFICERS
from people.signals import (
    api_token_created,
    api_tokens_revoked,
    current_actor,
    current_request,
    recovery_codes_replaced,
)

from .models import DETAIL_MAX, LABEL_MAX, USERNAME_MAX, SecurityEvent

Kind = SecurityEvent.Kind
GROUP_LABELS = {FUND_MANAGERS: "fund managers group", HR_OFFICERS: "HR officers group"}
# The models whose saves and deletes are logged, by lazy reference (django-otp's only when
# installed: a lazy reference to an app that is not installed fails `manage.py check`).
OTP_DEVICES = {
    "django_otp.plugins.otp_totp": ("otp_totp.TOTPDevice", "authenticator app"),
    "django_otp.plugins.otp_static": ("otp_static.StaticDevice", "recovery codes"),
}


# --- writing a row ----------------------------------------------------------------------------
def _text(value, limit: int) -> str:
    """Printable text within `limit`: a typed username may hold anything (PostgreSQL stores
    no NUL; a control character has no place in a log line)."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return text[:limit]


def _address(request=None, ip_address=None):
    """The connection's address (REMOTE_ADDR, as throttling counts it), or None."""
    if ip_address is None:
        request = request if request is not None else current_request()
        meta = getattr(request, "META", None) or {}
        ip_address = meta.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(str(ip_address).strip())) if ip_address else None
    except ValueError:
        return None


def _person(user):
    """A saved person, or None (AnonymousUser, an unsaved instance)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return user


def _actor(default=None):
    return current_actor() or _person(default)


def event(kind, *, subject=None, actor=None, username="", request=None, ip_address=None,
          detail="") -> SecurityEvent:
    """One row, unsaved (`record` saves one, `record_all` several at once)."""
    subject, actor = _person(subject), _person(actor)
    return SecurityEvent(
        kind=kind,
        actor=actor, actor_username=_text(actor.get_username() if actor else "", LABEL_MAX),
        subject=subject,
        subject_username=_text(subject.get_username() if subject else "", LABEL_MAX),
        username=_text(username, USERNAME_MAX),
        ip_address=_address(request, ip_address),
        detail=_text(detail, DETAIL_MAX),
    )


def record(kind, **kwargs) -> SecurityEvent:
    row = event(kind, **kwargs)
    row.save()
    return row


def record_all(rows) -> None:
    if rows:
        SecurityEvent.objects.bulk_create(rows)


def _known_account(username):
    """The person a typed username names (sign-in ignores its case), or None."""
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(
        **{f"{User.USERNAME_FIELD}__iexact": str(username)[:USERNAME_MAX]}
    ).order_by("pk").first()


# --- signing in and out (django.contrib.auth, axes) -----------------------------------------
def on_signed_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, subject=user, actor=user, username=user.get_username(), request=request)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    credentials = credentials or {}
    username = credentials.get(get_user_model().USERNAME_FIELD) or ""
    account = _known_account(username)
    if credentials.get("two_factor"):  # people/two_factor.py: the password was right
        detail = "wrong two-factor code"
    elif account is None:
        detail = "no such account"
    else:
        detail = "wrong password"
    record(Kind.SIGN_IN_FAILED, subject=account, username=username, request=request,
           detail=detail)


# The product ends a session (people/sessions.py: idle or max age; people/two_factor.py: no code
# given) by setting this request attribute to the reason before it calls `logout`.
SESSION_ENDED_BY = "session_ended_by"


def on_signed_out(sender, request, user, **kwargs):
    if _person(user) is None:
        return
    ended_by = getattr(request, SESSION_ENDED_BY, "")
    if ended_by:  # the product signed them out: nobody did it
        record(Kind.SIGN_OUT, subject=user, username=user.get_username(), request=request,
               detail=f"session ended: {ended_by}")
    else:
        record(Kind.SIGN_OUT, subject=user, actor=user, username=user.get_username(),
               request=request)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(Kind.LOCKED_OUT, subject=_known_account(username), username=username or "",
           request=request, ip_address=ip_address, detail="too many failed sign-ins")


# --- API tokens (people.signals, sent by people/tokens.py and people/token_api.py) -----------
TOKEN_REASONS = {
    "owner": "revoked by its owner",
    "password": "password changed",
    "deactivated": "account deactivated",
    "everywhere": "signed out everywhere",
    "admin": "revoked by an administrator",
    "expired": "expired",
    "role": "gained a role that requires two-factor sign-in",
}


def _token_label(token) -> str:
    starts_with = getattr(token, "starts_with", "")
    return f"token {starts_with}\N{HORIZONTAL ELLIPSIS}" if starts_with else ""


def on_token_created(sender, user, token=None, request=None, **kwargs):
    request_user = _person(getattr(request, "user", None))
    record(Kind.TOKEN_CREATED, subject=user, actor=_actor(request_user or user),
           username=user.get_username(), request=request, detail=_token_label(token))


def on_tokens_revoked(sender, user, count=None, reason="", request=None, **kwargs):
    # people/tokens.py announces a revocation that removed tokens, or one worth recording even
    # when there were none ("sign out everywhere"): each announcement is a row.
    if count is None:
        tokens = ""
    else:
        tokens = f" ({count or 'no'} token{'' if count == 1 else 's'})"
    request_user = _person(getattr(request, "user", None))
    record(Kind.TOKEN_REVOKED, subject=user, actor=_actor(request_user),
           username=user.get_username(), request=request,
           detail=f"{TOKEN_REASONS.get(reason, reason or 'revoked')}{tokens}")


# --- superuser and staff --------------------------------------------------------------------
# A save that changes a flag is a grant or a removal. The stored flags are read just before the
# save (one query of two columns, only for a saved person whose save writes a flag): values
# remembered when the instance was loaded go stale after `refresh_from_db`, which sends no
# post_init, and a stale value would hide a removal or invent a grant.
POWER_FLAGS = (("is_superuser", "superuser"), ("is_staff", "staff"))


# The password hash is read in the same query: a save that writes another hash is a password
# changed, in any channel (the account page, the emailed link, the admin's "Set password", a
# script), except a hash that Django upgrades at sign-in (`check_password`).
def remember_power(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._securitylog_power = None
    written = [f for f in (*(f for f, _ in POWER_FLAGS), "password")
               if f in instance.__dict__  # a deferred field is not saved
               and (update_fields is None or f in update_fields)]
    if raw or not written or instance._state.adding or instance.pk is None:
        return
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*written).first()
    instance._securitylog_power = stored


def _upgraded(before: str, now: str) -> bool:
    """`now` is how `check_password` rewrites `before` (no set_password, which a change
    needs): with the preferred hasher, from another hasher or outdated parameters."""
    try:
        preferred, old = get_hasher("default"), identify_hasher(before)
        new = identify_hasher(now)
    except ValueError:
        return False
    return (new.algorithm == preferred.algorithm and not preferred.must_update(now)
            and (old.algorithm != preferred.algorithm or preferred.must_update(before)))


def _password_change(instance, before) -> str:
    """Why this save's password is worth a row ("" when it is not)."""
    now = instance.__dict__.get("password")
    if before is None or now is None or now == before or not before:
        return ""  # unchanged, or the first password of an account made without one
    if getattr(instance, "_password", None) is None and _upgraded(before, now):
        return ""  # check_password upgraded the stored hash at sign-in: the same password
    if now.startswith(UNUSABLE_PASSWORD_PREFIX):
        what = "password removed (no password works)"
    elif before.startswith(UNUSABLE_PASSWORD_PREFIX):
        what = "password set"
    else:
        what = "password changed"
    if current_actor() is None and current_request() is not None:
        what += " by emailed link"  # the only page that sets a password when signed out
    return what


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    stored = getattr(instance, "_securitylog_power", None) or {}
    instance._securitylog_power = None
    if raw or (not created and not stored):
        return
    rows = []
    for field, label in POWER_FLAGS:
        now = instance.__dict__.get(field)
        before = False if created else stored.get(field)
        if now is None or before is None or bool(now) == bool(before):
            continue
        rows.append(event(Kind.ROLE_GRANTED if now else Kind.ROLE_REMOVED, subject=instance,
                          actor=_actor(), detail=label))
    if not created and (password := _password_change(instance, stored.get("password"))):
        rows.append(event(Kind.PASSWORD_CHANGED, subject=instance, actor=_actor(),
                          username=instance.get_username(), detail=password))
    record_all(rows)


# --- group membership (the admin, services, the shell; from either side) ---------------------
def _group_label(name: str) -> str:
    return GROUP_LABELS.get(name, f"group '{name}'")


def _memberships(instance, reverse, pk_set):
    """(user id, group id) pairs that `instance` and `pk_set` name and that exist now."""
    through = get_user_model().groups.through
    if reverse:  # instance is a Group, pk_set are users
        found = through.objects.filter(group_id=instance.pk)
        if pk_set is not None:
            found = found.filter(user_id__in=pk_set)
    else:
        found = through.objects.filter(user_id=instance.pk)
        if pk_set is not None:
            found = found.filter(group_id__in=pk_set)
    return set(found.values_list("user_id", "group_id"))


def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("pre_remove", "pre_clear"):
        # Only memberships that exist are removed (remove() is sent every id it was given).
        instance._securitylog_leaving = _memberships(instance, reverse, pk_set)
        return
    if action == "post_add":
        kind = Kind.ROLE_GRANTED
        pairs = {(p, instance.pk) if reverse else (instance.pk, p) for p in pk_set or ()}
    elif action in ("post_remove", "post_clear"):
        kind = Kind.ROLE_REMOVED
        pairs = getattr(instance, "_securitylog_leaving", set())
        instance._securitylog_leaving = set()
    else:
        return
    if not pairs:
        return
    User = get_user_model()
    users = User.objects.in_bulk({u for u, _ in pairs})
    groups = dict(Group.objects.filter(pk__in={g for _, g in pairs}).values_list("pk", "name"))
    actor = _actor()
    record_all([
        event(kind, subject=users.get(u), actor=actor, detail=_group_label(groups.get(g, str(g))))
        for u, g in sorted(pairs)
    ])


# --- panel chairs, deputy chairs and stand-ins (reviews, by lazy reference) ------------------
CHAIR_FIELDS = (("chair_id", "chair"), ("deputy_chair_id", "deputy chair"))


def remember_chairs(sender, instance, raw=False, update_fields=None, **kwargs):
    """The chair and deputy stored before this save (one query of two ids, only for a saved
    panel whose save may change them)."""
    instance._securitylog_chairs = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"chair", "deputy_chair"} & set(update_fields):
        return
    instance._securitylog_chairs = type(instance)._base_manager.filter(pk=instance.pk).values_list(
        "chair_id", "deputy_chair_id").first()


def on_panel_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_securitylog_chairs", None)
    instance._securitylog_chairs = None
    if before is None and not created:
        return
    before = before or (None, None)
    changes = []
    for (field, role), old in zip(CHAIR_FIELDS, before, strict=True):
        new = getattr(instance, field)
        if old != new:
            changes += [(Kind.ROLE_REMOVED, old, role)] if old else []
            changes += [(Kind.ROLE_GRANTED, new, role)] if new else []
    _record_panel_roles(instance, changes)


def on_panel_deleted(sender, instance, **kwargs):
    _record_panel_roles(instance, [(Kind.ROLE_REMOVED, getattr(instance, field), role)
                                   for field, role in CHAIR_FIELDS if getattr(instance, field)])


def _record_panel_roles(panel, changes):
    if not changes:
        return
    users = get_user_model().objects.in_bulk({user_id for _, user_id, _ in changes})
    actor = _actor()
    record_all([
        event(kind, subject=users.get(user_id), actor=actor,
              detail=f"{role} of panel '{panel.name}'")
        for kind, user_id, role in changes
    ])


def _stand_in_detail(stand_in) -> str:
    return (f"stand-in chair of panel '{stand_in.panel.name}' "
            f"for proposal '{stand_in.proposal}'")


def on_stand_in_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(Kind.ROLE_GRANTED, subject=instance.chair, actor=_actor(instance.named_by),
               detail=_stand_in_detail(instance))


def on_stand_in_deleted(sender, instance, **kwargs):
    record(Kind.ROLE_REMOVED, subject=instance.chair, actor=_actor(),
           detail=_stand_in_detail(instance))


# --- two-factor devices (django-otp, when installed) -----------------------------------------
# What a device save may change that matters: whether it counts (confirmed), whose it is, and
# for an authenticator its secret. The stored values are read just before the save (one query,
# only for a saved device), as for the power flags above.
DEVICE_FIELDS = ("confirmed", "user_id", "key")


def remember_device(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._securitylog_device = None
    written = [f for f in DEVICE_FIELDS if f in instance.__dict__
               and (update_fields is None or f.removesuffix("_id") in update_fields
                    or f in update_fields)]
    if raw or not written or instance._state.adding or instance.pk is None:
        return
    instance._securitylog_device = type(instance)._base_manager.filter(
        pk=instance.pk).values(*written).first()


def _device_changes(instance, stored, label):
    """(kind, subject id, detail) for what this save changed."""
    d = instance.__dict__
    changes = []
    if "user_id" in stored and d.get("user_id") != stored["user_id"]:
        if stored.get("confirmed", d.get("confirmed")):
            changes.append((Kind.TWO_FACTOR_REMOVED, stored["user_id"],
                            f"{label} moved to another person"))
        if d.get("confirmed"):
            changes.append((Kind.TWO_FACTOR_ENROLLED, d.get("user_id"),
                            f"{label} moved from another person"))
        return changes
    if "confirmed" in stored and bool(d.get("confirmed")) != bool(stored["confirmed"]):
        changes.append((Kind.TWO_FACTOR_ENROLLED if d.get("confirmed") else Kind.TWO_FACTOR_REMOVED,
                        d.get("user_id"), label))
    if "key" in stored and d.get("key") != stored["key"]:
        changes.append((Kind.TWO_FACTOR_CHANGED, d.get("user_id"), f"{label}: secret key changed"))
    return changes


def _device_receivers(label):
    def on_device_saved(sender, instance, created, raw=False, **kwargs):
        stored = getattr(instance, "_securitylog_device", None)
        instance._securitylog_device = None
        if raw:
            return
        if created:
            changes = [(Kind.TWO_FACTOR_ENROLLED, instance.user_id, label)] \
                if instance.__dict__.get("confirmed") else []
        else:
            changes = _device_changes(instance, stored or {}, label)
        if not changes:
            return
        users = get_user_model()._base_manager.in_bulk({u for _, u, _ in changes if u})
        owner = users.get(instance.user_id)
        record_all([event(kind, subject=users.get(user_id), actor=_actor(owner), detail=detail)
                    for kind, user_id, detail in changes])

    def on_device_deleted(sender, instance, **kwargs):
        _DELETING_DEVICES.get().discard((sender, instance.pk))
        if instance.__dict__.get("confirmed"):
            record(Kind.TWO_FACTOR_REMOVED, subject=instance.user, actor=_actor(),
                   detail=label)

    return on_device_saved, on_device_deleted


# Recovery codes (django-otp's StaticToken): a code added or removed in any channel is a row
# naming who did it; the codes removed together (a QuerySet delete: pre_delete is sent for
# each before any is deleted) make one row. A code used to sign in is removed by django-otp,
# so it is logged too. The codes that go with a deleted set of recovery codes are in its row.
_DELETING_DEVICES: ContextVar = ContextVar("securitylog_deleting_devices", default=None)
_DELETING_CODES: ContextVar = ContextVar("securitylog_deleting_codes", default=None)


def _deleting(var):
    found = var.get()
    if found is None:
        found = set() if var is _DELETING_DEVICES else {}
        var.set(found)
    return found


def on_device_deleting(sender, instance, **kwargs):
    _deleting(_DELETING_DEVICES).add((sender, instance.pk))


def _codes(count: int) -> str:
    return f"{count} recovery code{'' if count == 1 else 's'}"


def _code_device(token):
    from django_otp.plugins.otp_static.models import StaticDevice

    return StaticDevice._base_manager.select_related("user").filter(pk=token.device_id).first()


def on_code_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    device = _code_device(instance)
    owner = device.user if device is not None else None
    record(Kind.TWO_FACTOR_CHANGED, subject=owner, actor=_actor(), detail=f"{_codes(1)} added")


def on_code_deleting(sender, instance, **kwargs):
    batch = _deleting(_DELETING_CODES).setdefault(instance.device_id, [0, 0])
    batch[0] += 1  # how many go together
    batch[1] += 1  # how many are still to go


def on_code_deleted(sender, instance, **kwargs):
    pending = _deleting(_DELETING_CODES)
    count, left = pending.get(instance.device_id, [1, 1])
    if left > 1:
        pending[instance.device_id] = [count, left - 1]
        return
    pending.pop(instance.device_id, None)
    from django_otp.plugins.otp_static.models import StaticDevice

    if (StaticDevice, instance.device_id) in _deleting(_DELETING_DEVICES):
        return  # the whole set goes: its own row says so
    device = _code_device(instance)
    owner = device.user if device is not None else None
    record(Kind.TWO_FACTOR_CHANGED, subject=owner, actor=_actor(),
           detail=f"{_codes(count)} removed (used to sign in, or deleted)")


def on_recovery_codes_replaced(sender, user, request=None, **kwargs):
    """people/two_factor.py: a person's recovery codes were replaced by ten new ones (the page
    asks for the authenticator's code first)."""
    record(Kind.TWO_FACTOR_ENROLLED, subject=user, actor=_actor(user), request=request,
           detail="recovery codes replaced")


def connect():
    """Connect every receiver (from `SecurityLogConfig.ready`)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    uid = "securitylog."
    user_logged_in.connect(on_signed_in, dispatch_uid=uid + "signed_in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid=uid + "sign_in_failed")
    user_logged_out.connect(on_signed_out, dispatch_uid=uid + "signed_out")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked_out")
    api_token_created.connect(on_token_created, dispatch_uid=uid + "token_created")
    api_tokens_revoked.connect(on_tokens_revoked, dispatch_uid=uid + "tokens_revoked")
    recovery_codes_replaced.connect(on_recovery_codes_replaced,
                                    dispatch_uid=uid + "recovery_codes_replaced")

    User = get_user_model()
    pre_save.connect(remember_power, sender=User, dispatch_uid=uid + "remember_power")
    post_save.connect(on_user_saved, sender=User, dispatch_uid=uid + "user_saved")
    m2m_changed.connect(on_groups_changed, sender=User.groups.through,
                        dispatch_uid=uid + "groups_changed")

    pre_save.connect(remember_chairs, sender="reviews.Panel", dispatch_uid=uid + "panel_before")
    post_save.connect(on_panel_saved, sender="reviews.Panel", dispatch_uid=uid + "panel_saved")
    post_delete.connect(on_panel_deleted, sender="reviews.Panel",
                        dispatch_uid=uid + "panel_deleted")
    post_save.connect(on_stand_in_saved, sender="reviews.PanelStandIn",
                      dispatch_uid=uid + "stand_in_saved")
    post_delete.connect(on_stand_in_deleted, sender="reviews.PanelStandIn",
                        dispatch_uid=uid + "stand_in_deleted")

    for app_name, (model, label) in OTP_DEVICES.items():
        if not apps.is_installed(app_name):
            continue
        saved, deleted = _device_receivers(label)
        pre_save.connect(remember_device, sender=model, dispatch_uid=uid + model + "before")
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid + model + "saved")
        pre_delete.connect(on_device_deleting, sender=model,
                           dispatch_uid=uid + model + "deleting")
        post_delete.connect(deleted, sender=model, weak=False,
                            dispatch_uid=uid + model + "deleted")
    if apps.is_installed("django_otp.plugins.otp_static"):
        code = "otp_static.StaticToken"
        post_save.connect(on_code_saved, sender=code, dispatch_uid=uid + "code_saved")
        pre_delete.connect(on_code_deleting, sender=code, dispatch_uid=uid + "code_deleting")
        post_delete.connect(on_code_deleted, sender=code, dispatch_uid=uid + "code_deleted")
