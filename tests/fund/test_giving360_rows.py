"""360Giving at scale: grants read as rows of a queryset are the grants of the models, and the
package's text is `json.dumps(..., indent=2)` without the json module's indenting encoder."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from fund import giving360
from fund.factories import FundFactory, RoundFactory
from fund.giving360_api import awards_visible_to
from fund.models import Award
from people.factories import UserFactory
from proposals.factories import ProposalFactory

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
SCALARS = (TEXT | st.integers(-10**20, 10**20) | st.booleans() | st.none()
           | st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
def test_the_text_is_what_json_dumps_writes(value):
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert giving360._json_text(value, "") == expected
    assert giving360._json_text(value, "    ") == expected.replace("\n", "\n    ")


@pytest.fixture
def awards(db, settings):
    settings.GRANT_ID_PREFIX = "360G-rows"
    manager = UserFactory(fund_manager=True)
    plain = RoundFactory(fund=FundFactory(organisation="", organisation_identifier=""))
    named = RoundFactory(fund=FundFactory(organisation="RGoB", organisation_identifier="GB-X-1"))
    made = [
        ProposalFactory(funded=True, round=plain, title="“Quoted”\nline\t\u2028 ☃"),
        ProposalFactory(funded=True, round=named, summary="", hypothesis="", duration_months=0),
        ProposalFactory(funded=True, round=named, lead=UserFactory(agency=None),
                        summary="", hypothesis="Only a hypothesis"),
    ]
    for i, proposal in enumerate(made):
        Award.objects.create(
            proposal=proposal, amount=Decimal("1234567.89") + i, approved_by=manager,
            # 23:30 UTC is the next day in Thimphu (UTC+6): the fund's own calendar day.
            approved_at=datetime.datetime(2026, 3, 1 + i, 23, 30, tzinfo=datetime.UTC))
    return manager


@pytest.mark.django_db
def test_rows_make_the_grants_the_models_make(awards):
    queryset = awards_visible_to(awards)
    from_rows = list(giving360.grants(queryset))
    from_models = [giving360.grant(award) for award in queryset]
    assert len(from_rows) == 3 and from_rows == from_models
    assert {g["awardDate"] for g in from_rows} == {"2026-03-02", "2026-03-03", "2026-03-04"}
    assert from_rows[2]["recipientOrganization"][0]["name"] == "Unknown agency"
    assert from_rows[2]["description"] == "Only a hypothesis"
    assert "plannedDates" not in from_rows[1]
    package = json.loads(giving360.package_json(queryset))
    assert package == {"version": giving360.VERSION, "grants": from_models}
    assert giving360.validation_errors(package) == []
    assert giving360.package_json(queryset) == json.dumps(package, ensure_ascii=False, indent=2)


@pytest.mark.django_db
def test_rows_are_read_in_one_query(awards):
    queryset = awards_visible_to(awards)  # (who the viewer is may take a query)
    with CaptureQueriesContext(connection) as captured:
        assert len(list(giving360.grants(queryset))) == 3
    assert len(captured) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("limit", "expected"), [(0, True), (2, True), (3, False), (10, False)])
def test_the_count_that_decides_is_bounded(awards, limit, expected):
    queryset = awards_visible_to(awards)
    with CaptureQueriesContext(connection) as captured:
        assert giving360.more_awards_than(queryset, limit) is expected
    assert len(captured) == 1
    assert f"LIMIT {limit + 1}" in captured[0]["sql"]
