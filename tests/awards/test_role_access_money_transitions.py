"""The proposal's money transitions in the API, for every role, with the expected status.

Rows are (path, body, role, expected); `body` is the name of a body in BODIES. Beyond the roles
of test_role_access.py: `reviewer` (assigned to the proposals) and `conflicted` (a fund manager
on their team). `recommended` waits for a funding decision, `funded` for its outcome report,
`reported` for the fund manager to close it (see conftest).
"""

import pytest

from .test_api_money_transitions import DECLINE_BODY, OUTCOME_BODY, extend_world, fund_body

R = ("anonymous", "stranger", "lead", "team", "manager", "hr", "chair", "reviewer", "conflicted")

BODIES = {"empty": {}, "fund": fund_body(), "decline": DECLINE_BODY, "outcome": OUTCOME_BODY}


def _rows(path, body, statuses):
    return [(path, body, role, status) for role, status in zip(R, statuses, strict=True)]


FUND = "/api/v1/proposals/{w.recommended.pk}/transitions/fund/"
DECLINE = "/api/v1/proposals/{w.recommended.pk}/transitions/decline/"
REPORT = "/api/v1/proposals/{w.funded.pk}/transitions/report_outcome/"
CLOSE = "/api/v1/proposals/{w.reported.pk}/transitions/close/"

ROLE_ACCESS = [
    #                             anon strngr lead team mgr  hr   chair revwr conflicted
    *_rows(FUND, "fund",         (401, 404, 403, 403, 200, 403, 403, 403, 403)),
    *_rows(FUND, "empty",        (401, 404, 403, 403, 400, 403, 403, 403, 403)),
    *_rows(DECLINE, "decline",   (401, 404, 403, 403, 200, 403, 403, 403, 403)),
    *_rows(DECLINE, "empty",     (401, 404, 403, 403, 400, 403, 403, 403, 403)),
    *_rows(REPORT, "outcome",    (401, 404, 200, 200, 403, 403, 403, 403, 200)),
    *_rows(REPORT, "empty",      (401, 404, 400, 400, 403, 403, 403, 403, 400)),
    *_rows(CLOSE, "empty",       (401, 404, 403, 403, 200, 403, 403, 403, 403)),
    # a state that does not allow it: 409 for those who see it (HR officers write nothing)
    *_rows("/api/v1/proposals/{w.funded.pk}/transitions/fund/", "fund",
           (401, 404, 409, 409, 409, 403, 409, 409, 409)),
    *_rows("/api/v1/proposals/{w.funded.pk}/transitions/decline/", "decline",
           (401, 404, 409, 409, 409, 403, 409, 409, 409)),
    *_rows("/api/v1/proposals/{w.recommended.pk}/transitions/report_outcome/", "outcome",
           (401, 404, 409, 409, 409, 403, 409, 409, 409)),
    *_rows("/api/v1/proposals/{w.funded.pk}/transitions/close/", "empty",
           (401, 404, 409, 409, 409, 403, 409, 409, 409)),
]


@pytest.mark.parametrize(("path", "body", "role", "expected"), ROLE_ACCESS)
def test_role_access(client, world, path, body, role, expected):
    w = extend_world(world)
    if role != "anonymous":
        client.force_login(getattr(w, role))
    url = path.format(w=w)
    response = client.post(url, BODIES[body], content_type="application/json")
    assert response.status_code == expected, (url, role, response.content[:300])
