"""The dashboards' "nominations awaiting me": fund managers endorse, HR officers decide."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from rewards.factories import NominationFactory

pytestmark = pytest.mark.django_db


def _now_part(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode().split("What I am following")[0]


def test_hr_officer_sees_endorsed_nominations_to_decide(client, hr_officer):
    nominee = UserFactory(first_name="Karma", last_name="Wangmo", agency=AgencyFactory(code="MOE"))
    waiting = NominationFactory(endorsed=True, nominee=nominee)
    NominationFactory(nominee=UserFactory(first_name="Not", last_name="Endorsed"))
    NominationFactory(granted=True, nominee=UserFactory(first_name="Already", last_name="Granted"))
    client.force_login(hr_officer)
    page = _now_part(client)
    assert re.search(r'Nominations to decide <span class="count">1</span>', page)
    assert "Karma Wangmo" in page and f"/nominations/{waiting.pk}/" in page
    assert "MOE" in page
    assert "Not Endorsed" not in page and "Already Granted" not in page
    assert "No nomination is waiting" not in page


def test_fund_manager_sees_new_nominations_to_endorse(client, fund_manager):
    NominationFactory(nominee=UserFactory(first_name="Sonam", last_name="Dorji"))
    NominationFactory(endorsed=True, nominee=UserFactory(first_name="Waiting", last_name="ForHR"))
    NominationFactory(nominee=fund_manager)  # their own: never theirs to endorse
    client.force_login(fund_manager)
    page = _now_part(client)
    assert re.search(r'Nominations to endorse <span class="count">1</span>', page)
    assert "Sonam Dorji" in page
    assert "Waiting ForHR" not in page


def test_civil_servant_has_no_nominations_section(client, civil_servant):
    NominationFactory(endorsed=True)
    client.force_login(civil_servant)
    assert "Nominations to" not in client.get("/").content.decode()


def test_a_long_queue_shows_the_first_few_and_a_link_to_all(client, hr_officer):
    NominationFactory.create_batch(7, endorsed=True)
    client.force_login(hr_officer)
    page = _now_part(client)
    assert re.search(r'Nominations to decide <span class="count">7</span>', page)
    assert page.count('/nominations/') >= 5
    assert "All 7 waiting" in page and "/nominations/?state=endorsed" in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_hr_dashboard_queries_do_not_grow_with_nominations(client, hr_officer):
    client.force_login(hr_officer)
    NominationFactory.create_batch(3, endorsed=True)
    small = _queries(client)
    NominationFactory.create_batch(30, endorsed=True)
    assert _queries(client) == small


def test_fund_manager_and_hr_officer_sees_both_kinds(client):
    from people.models import FUND_MANAGERS, HR_OFFICERS

    both = UserFactory(roles=[FUND_MANAGERS, HR_OFFICERS])
    NominationFactory(nominee=UserFactory(first_name="To", last_name="Endorse"))
    NominationFactory(endorsed=True, nominee=UserFactory(first_name="To", last_name="Decide"))
    client.force_login(both)
    page = _now_part(client)
    assert re.search(r'Nominations to endorse or decide <span class="count">2</span>', page)
    assert "To Endorse" in page and "To Decide" in page
