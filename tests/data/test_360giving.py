import csv
import datetime
import io
import json
from decimal import Decimal

import pytest

from fund import giving360
from fund.factories import FundFactory, RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def awards(settings):
    settings.GRANT_ID_PREFIX = "360G-gnhif"
    fund = FundFactory(name="GNH Innovation Fund", organisation="Royal Government of Bhutan",
                       organisation_identifier="XI-BTGOV-MOF")
    round_ = RoundFactory(fund=fund, title="2026 round")
    manager = UserFactory(fund_manager=True)
    lead = UserFactory(agency=AgencyFactory(code="MOH", name="Ministry of Health"))
    made = []
    for i, amount in enumerate([Decimal("450000.50"), Decimal("120000.00")]):
        proposal = ProposalFactory(funded=True, round=round_, lead=lead, title=f"Clinic queues {i}")
        made.append(Award.objects.create(proposal=proposal, amount=amount, approved_by=manager))
    return made


def test_package_is_valid_360giving(awards):
    data = json.loads(giving360.package_json(awards))
    assert giving360.validation_errors(data) == []
    grant = data["grants"][0]
    assert grant["id"] == f"360G-gnhif-{awards[0].pk}"
    assert grant["amountAwarded"] == 450000.5 and grant["currency"] == "BTN"
    assert grant["recipientOrganization"][0]["name"] == "Ministry of Health"
    assert grant["fundingOrganization"][0] == {"id": "XI-BTGOV-MOF", "name": "Royal Government of Bhutan"}


def test_validation_catches_a_broken_grant(awards):
    data = giving360.package(awards)
    del data["grants"][0]["currency"]
    data["grants"][1]["amountAwarded"] = "lots"
    errors = giving360.validation_errors(data)
    assert any("currency" in e for e in errors) and any("lots" in e for e in errors)


def test_csv_has_the_standard_columns(awards):
    rows = list(csv.DictReader(io.StringIO(giving360.package_csv(awards))))
    assert rows[0]["Identifier"].startswith("360G-gnhif-")
    assert rows[0]["Amount Awarded"] == "450000.50"
    assert rows[1]["Recipient Org:Identifier"] == "XI-BTGOV-MOH"


def test_api_serves_only_visible_awards(client, awards):
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/api/v1/awards/360giving.json").status_code in (401, 403)
    api.force_authenticate(UserFactory(fund_manager=True))
    everything = api.get("/api/v1/awards/360giving.json")
    assert everything.status_code == 200
    assert len(json.loads(everything.getvalue())["grants"]) == 2
    api.force_authenticate(UserFactory())
    stranger = api.get("/api/v1/awards/360giving.json")
    assert stranger.status_code == 200
    assert json.loads(stranger.getvalue())["grants"] == []


def test_fund_manager_downloads_360giving_files(client, awards):
    client.force_login(UserFactory(fund_manager=True))
    as_json = client.get("/data/export/360giving.json")
    assert as_json.status_code == 200
    assert giving360.validation_errors(json.loads(as_json.getvalue())) == []
    assert client.get("/data/export/360giving.csv").getvalue().startswith(b"Identifier,Title")
    assert client.get("/data/export/360giving.xml").status_code == 404


def test_cancelled_awards_are_not_published(client, awards):
    from rest_framework.test import APIClient

    cancelled = awards[1]
    Award.objects.filter(pk=cancelled.pk).update(state=Award.State.CANCELLED)
    manager = UserFactory(fund_manager=True)
    api = APIClient()
    api.force_authenticate(manager)
    published = json.loads(api.get("/api/v1/awards/360giving.json").getvalue())["grants"]
    assert [g["id"] for g in published] == [f"360G-gnhif-{awards[0].pk}"]
    client.force_login(manager)
    as_json = json.loads(client.get("/data/export/360giving.json").getvalue())["grants"]
    assert [g["id"] for g in as_json] == [f"360G-gnhif-{awards[0].pk}"]
    rows = list(csv.DictReader(io.StringIO(client.get("/data/export/360giving.csv").getvalue().decode())))
    assert [r["Identifier"] for r in rows] == [f"360G-gnhif-{awards[0].pk}"]


@pytest.mark.parametrize(("approved_at", "award_date"), [
    # 20:30 UTC is 02:30 the next morning in Thimphu (UTC+6): the grant was made that day.
    (datetime.datetime(2026, 3, 31, 20, 30, tzinfo=datetime.UTC), "2026-04-01"),
    (datetime.datetime(2026, 4, 1, 17, 59, tzinfo=datetime.UTC), "2026-04-01"),
    (datetime.datetime(2026, 4, 1, 18, 0, tzinfo=datetime.UTC), "2026-04-02"),
])
def test_award_date_is_the_day_in_thimphu(settings, awards, approved_at, award_date):
    settings.TIME_ZONE = "Asia/Thimphu"
    award = awards[0]
    Award.objects.filter(pk=award.pk).update(approved_at=approved_at)
    award.refresh_from_db()
    record = giving360.grant(award)
    assert record["awardDate"] == award_date
    rows = list(csv.DictReader(io.StringIO(giving360.package_csv([award]))))
    assert rows[0]["Award Date"] == award_date
