"""One request, one effect (DOMAIN.md, Integrity rules; API.md).

Page forms. Every state-changing form of the product carries a one-time token
(`{% form_token %}`, a builtin tag: a fresh random value per render, nothing stored). A POST
that carries one reserves it in the database before the view runs (its own committed insert,
outside any transaction of the view); a second POST with the same token while the first runs
answers 409; when the action took effect (the view redirected) the token is spent, and a POST
with a spent token records nothing and goes back with "This was already recorded; it was not
done twice."; when the form was refused (re-rendered, 4xx, 5xx) the reservation is removed,
so the corrected form can be sent again with the same token. A POST without the field is
handled as before.

API. A `POST` under /api/ (but `auth/token/`) may carry `Idempotency-Key: <1-255 characters>`.
The key is reserved per user with a fingerprint of the request (method, path and body); a
repeat of the same request answers with the first answer's status, content type and body and
changes nothing, the same key with another method, path or body is a 400, a repeat while
the first still runs is a 409. Only an answer that took effect (2xx) is kept: any other answer
changed nothing, so the key is released and the request may be sent again. The user is
the one DRF's configured authentication classes find (a session or `Authorization: Token`).

State lives in the database, never in a web process: tokens and keys are rows, kept at least
`KEEP_FOR`; `manage.py sweep_form_tokens` (beat: `workflow.sweep_form_tokens`) deletes older
ones. A reservation left running by a process that died is taken over after `STALE_AFTER`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .models import FormToken, IdempotencyKey

FIELD = "form_token"
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=10)
ALREADY_RECORDED = "This was already recorded; it was not done twice."
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_EFFECT_STATUSES = {302, 303}


def new_token() -> str:
    """A fresh one-time token for one rendered form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


class OneEffectMiddleware:
    """A form sent twice, or an API POST repeated with its Idempotency-Key, has one effect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return self._api_post(request)
        return self._form_post(request)

    # --- page forms ---------------------------------------------------------------------

    def _form_post(self, request):
        try:
            token = request.POST.get(FIELD, "")
        except (OSError, MultiPartParserError):  # the view meets the same and answers it
            token = ""
        if not token:
            return self.get_response(request)
        if not _TOKEN.fullmatch(token):
            return _page(request, 400, "This form cannot be sent",
                         "The form's one-time token is not valid. Open the page again and "
                         "send the form from there.")
        existing = _reserve(
            lambda: FormToken.objects.create(token=token, path=request.path[:500]),
            FormToken.objects.filter(token=token), running=FormToken.State.RUNNING,
        )
        if existing is not None:
            if existing.state == FormToken.State.SPENT:
                messages.info(request, ALREADY_RECORDED, fail_silently=True)
                return HttpResponseRedirect(_back(request))
            return _page(request, 409, "This is being recorded",
                         "This form was sent again while the first sending is still being "
                         "recorded. Nothing will be done twice: look at the result in a moment.")
        mine = FormToken.objects.filter(token=token, state=FormToken.State.RUNNING)
        try:
            response = self.get_response(request)
        except BaseException:
            _delete(mine)
            raise
        if _took_effect(response):
            mine.update(state=FormToken.State.SPENT)
        else:  # refused: the corrected form may be sent again with the same token
            _delete(mine)
        return response

    # --- API: Idempotency-Key ---------------------------------------------------------------

    def _api_post(self, request):
        key = request.headers.get(HEADER, "")
        if not key or request.path == reverse("api-token"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return JsonResponse(
                {"detail": f"An {HEADER} has at most {MAX_KEY_LENGTH} characters."}, status=400)
        body = request.body  # read first: the view reads it again from memory
        user = _api_user(request)
        if user is None:  # not signed in: the view answers that; nothing to remember
            return self.get_response(request)
        fingerprint = _fingerprint(request, body)
        path = request.get_full_path()[:500]
        rows = IdempotencyKey.objects.filter(user_pk=user.pk, key=key)
        existing = _reserve(
            lambda: IdempotencyKey.objects.create(
                user_pk=user.pk, key=key, method=request.method, path=path,
                fingerprint=fingerprint),
            rows, running=IdempotencyKey.State.RUNNING,
        )
        if existing is not None:
            return _answer_again(existing, fingerprint, request.method, path)
        mine = rows.filter(state=IdempotencyKey.State.RUNNING)
        try:
            response = self.get_response(request)
        except BaseException:
            _delete(mine)
            raise
        if 200 <= response.status_code < 300:
            mine.update(
                state=IdempotencyKey.State.DONE, status_code=response.status_code,
                content_type=response.get("Content-Type", "")[:255],
                body=b"" if response.streaming else response.content,
            )
        else:  # it changed nothing: the same request (or a corrected one) may be sent again
            _delete(mine)
        return response


def _reserve(create, rows, *, running):
    """Insert the reservation in a transaction of its own; None when it is ours, else the row
    that holds the token or key (a running one older than STALE_AFTER is taken over)."""
    existing = None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                create()
            return None
        except IntegrityError:
            existing = rows.first()
            if existing is None:  # released in the meantime: try again
                continue
            if existing.state == running and existing.created_at < timezone.now() - STALE_AFTER:
                _delete(rows.filter(pk=existing.pk, state=running,
                                    created_at=existing.created_at))
                continue
            return existing
    return existing


def _delete(rows) -> int:
    """Delete tokens or keys: one statement, no per-row signals (nothing refers to them, and
    none is evidence)."""
    return rows._raw_delete(rows.db)


def _took_effect(response) -> bool:
    """The product's pages redirect after success; a redirect to sign in is no effect."""
    if response.status_code not in _EFFECT_STATUSES:
        return False
    return urlsplit(response.get("Location", "")).path != resolve_url(settings.LOGIN_URL)


def _back(request) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.get_full_path()


def _page(request, status: int, heading: str, text: str) -> HttpResponse:
    context = {"heading": heading, "text": text, "back": _back(request)}
    return render(request, "workflow/one_effect.html", context, status=status)


# --- API helpers ------------------------------------------------------------------------------


def _api_user(request):
    """The user DRF's configured authentication classes find, or None. The view authenticates
    again on its own; the Django request keeps the user it had."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    saved = request.__dict__.get("user")
    wrapper = Request(request, authenticators=[
        auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES
    ])
    try:
        user = wrapper.user
    except APIException:  # a bad token or a failed CSRF check: the view says so
        user = None
    finally:
        if saved is None:
            request.__dict__.pop("user", None)
        else:
            request.user = saved
    return user if user is not None and user.is_authenticated else None


def _fingerprint(request, body: bytes) -> str:
    """The request a key was first used for: method, path (with the query) and body. A
    multipart body's random boundary does not count."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data" and request.content_params.get("boundary"):
        body = body.replace(request.content_params["boundary"].encode("latin-1"), b"")
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), content_type):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _answer_again(existing: IdempotencyKey, fingerprint: str, method: str, path: str):
    if existing.fingerprint != fingerprint:
        if (existing.method, existing.path) != (method, path):
            reason = f"for {existing.method} {existing.path}"
        else:
            reason = "with a different body"
        return JsonResponse({"detail": (
            f"This {HEADER} was already used {reason}. Send a new key for a new request."
        )}, status=400)
    if existing.state == IdempotencyKey.State.RUNNING:
        return JsonResponse({"detail": (
            f"A request with this {HEADER} is still being processed. Send it again once it "
            "has been answered; it will not be done twice."
        )}, status=409)
    response = HttpResponse(bytes(existing.body), status=existing.status_code,
                            content_type=existing.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


# --- keeping tokens and keys -------------------------------------------------------------------


def sweep(*, older_than: timedelta = KEEP_FOR) -> dict[str, int]:
    """Delete form tokens and idempotency keys older than `older_than` (at least KEEP_FOR)."""
    cutoff = timezone.now() - max(older_than, KEEP_FOR)
    return {
        model._meta.model_name: _delete(model.objects.filter(created_at__lt=cutoff))
        for model in (FormToken, IdempotencyKey)
    }


# --- OpenAPI ---------------------------------------------------------------------------------


def document_idempotency_key(result, generator, request, public):
    """drf-spectacular postprocessing hook: every POST but auth/token/ takes the header."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        "description": (
            "Makes the POST safe to repeat. A key this user already used for the same method, "
            "path and body answers with the first answer's status and body and changes nothing "
            "(the answer carries `Idempotent-Replayed: true`); the same key with another "
            "method, path or body is a 400; a repeat while the first still runs is a 409. "
            "Keys are kept at least 24 hours, per user; only answers that took effect (2xx) "
            "are kept."
        ),
    }
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is None or post.get("operationId") == "auth_token_create":
            continue
        post.setdefault("parameters", []).append(dict(parameter))
    return result
