"""Every page and endpoint of the awards module, for every role, with the expected status.

Paths are templates filled from the `world` fixture (see conftest): `award` is the funded proposal's
award, `recommended` a proposal waiting for a funding decision, `reported` one whose outcome
waits to be accepted.
"""

import pytest

from .conftest import user_for

R = ("anonymous", "stranger", "lead", "team", "manager", "hr", "chair")


def _rows(path, method, statuses):
    return [(path, role, method, status) for role, status in zip(R, statuses, strict=True)]


ROLE_ACCESS = [
    # pages                                     anon stranger lead team manager hr  chair
    *_rows("/awards/", "get", (302, 200, 200, 200, 200, 200, 200)),
    *_rows("/awards/{w.award.pk}/", "get", (302, 404, 200, 200, 200, 200, 200)),
    *_rows("/awards/fund/{w.recommended.pk}/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/decline/{w.recommended.pk}/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/outcome/{w.funded.pk}/", "get",
           (302, 404, 200, 200, 200, 200, 200)),
    *_rows("/awards/funds/{w.fund.pk}/", "get", (302, 200, 200, 200, 200, 200, 200)),
    # page actions (POST): a refusal shows the service's message with the status
    *_rows("/awards/tranches/{w.tranches[0].pk}/transitions/release/", "post",
           (302, 404, 403, 403, 302, 403, 403)),
    *_rows("/awards/{w.award.pk}/transitions/cancel/", "post",
           (302, 404, 403, 403, 400, 403, 403)),  # manager: no reason given → 400
    *_rows("/awards/fund/{w.recommended.pk}/", "post",
           (302, 404, 403, 403, 400, 403, 403)),  # manager: empty form → 400
    *_rows("/awards/decline/{w.recommended.pk}/", "post",
           (302, 404, 403, 403, 400, 403, 403)),
    *_rows("/awards/outcome/{w.funded.pk}/", "post",
           (302, 404, 400, 400, 400, 400, 400)),  # empty form: 400 before the service
    *_rows("/awards/close/{w.reported.pk}/", "post",
           (302, 404, 403, 403, 302, 403, 403)),  # a refusal stays on the confirmation page
    # money steps: a page says what will happen first (GET), refusing with the reason
    *_rows("/awards/tranches/{w.tranches[0].pk}/transitions/release/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/tranches/{w.tranches[1].pk}/transitions/release/", "get",
           (302, 404, 403, 403, 409, 403, 403)),  # tranche 1 not reported yet
    *_rows("/awards/tranches/{w.tranches[0].pk}/transitions/cancel/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/tranches/{w.tranches[0].pk}/transitions/report_milestone/", "get",
           (302, 404, 302, 302, 302, 302, 302)),  # its form is on the award page
    *_rows("/awards/{w.award.pk}/transitions/cancel/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/close/{w.reported.pk}/", "get",
           (302, 404, 403, 403, 200, 403, 403)),
    *_rows("/awards/close/{w.funded.pk}/", "get",
           (302, 404, 409, 409, 409, 409, 409)),  # no outcome report yet
    # API
    *_rows("/api/v1/awards/", "get", (401, 200, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/awards/{w.award.pk}/", "get", (401, 404, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/tranches/", "get", (401, 200, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/tranches/{w.tranches[0].pk}/", "get",
           (401, 404, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/tranches/{w.tranches[0].pk}/transitions/release/", "post",
           (401, 404, 403, 403, 200, 403, 403)),
    *_rows("/api/v1/tranches/{w.tranches[0].pk}/transitions/cancel/", "post",
           (401, 404, 403, 403, 400, 403, 403)),  # manager: no reason → 400
    *_rows("/api/v1/awards/{w.award.pk}/transitions/cancel/", "post",
           (401, 404, 403, 403, 400, 403, 403)),
    # documents
    *_rows("/api/v1/proposals/{w.funded.pk}/summary.pdf", "get",
           (401, 404, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/awards/{w.award.pk}/letter.pdf", "get",
           (401, 404, 200, 200, 200, 200, 200)),
    *_rows("/api/v1/rounds/{w.round.pk}/portfolio.pdf", "get",
           (401, 403, 403, 403, 200, 403, 200)),
    *_rows("/api/v1/rounds/{w.round.pk}/portfolio.csv", "get",
           (401, 403, 403, 403, 200, 403, 200)),
]


@pytest.mark.parametrize(("path", "role", "method", "expected"), ROLE_ACCESS)
def test_role_access(client, world, path, role, method, expected):
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    url = path.format(w=world)
    response = getattr(client, method)(url, {}, content_type="application/json") \
        if url.startswith("/api/") and method == "post" else getattr(client, method)(url)
    assert response.status_code == expected, (url, role, response.content[:300])
