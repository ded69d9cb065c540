"""Duplicates from before the rule "one identity per agency and person": the system check
lists them, migration people.0003 stops on them, `manage.py merge_agencies` joins them."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fund.factories import ContributionFactory
from people.checks import check_one_identity
from people.factories import AgencyFactory, UserFactory
from people.models import Agency, User
from people.signals import agency_changed
from proposals.conflicts import parties_changed
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

CONSTRAINTS = (
    "people_agency_code_unique_any_case",
    "people_user_username_unique_any_case",
    "people_user_employee_id_unique_any_case",
)


@pytest.fixture
def before_the_rule(db):
    """The database as it was before migration people.0004: no constraint ignoring case
    (dropped inside the test's transaction, so they come back after it)."""
    with connection.cursor() as cursor:
        for name in CONSTRAINTS:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


@pytest.fixture
def duplicates(before_the_rule):
    """MOH, and a `moh` that an import of the old code made before the rule."""
    target = AgencyFactory(code="MOH", name="Ministry of Health")
    source = AgencyFactory(code="MOHX", name="Ministry of health")
    Agency.objects.filter(pk=source.pk).update(code="moh")
    source.refresh_from_db()
    return source, target


@pytest.fixture
def signals():
    sent = {"people": [], "proposals": []}

    def on_agency(sender, people, actor, **kwargs):
        sent["people"].append(list(people))

    def on_parties(sender, proposal, actor, **kwargs):
        sent["proposals"].append(proposal.pk)

    agency_changed.connect(on_agency, weak=False)
    parties_changed.connect(on_parties, weak=False)
    yield sent
    agency_changed.disconnect(on_agency)
    parties_changed.disconnect(on_parties)


def merge(*args: str) -> str:
    out = io.StringIO()
    call_command("merge_agencies", *args, stdout=out, stderr=out)
    return out.getvalue()


# --- the check -----------------------------------------------------------------------------
def test_the_check_is_quiet_without_duplicates(db):
    AgencyFactory(code="MOH")
    UserFactory(username="pema", employee_id="E1")
    assert check_one_identity() == []


def test_the_check_names_agencies_differing_only_by_case_and_how_to_merge_them(duplicates):
    source, target = duplicates
    (warning,) = check_one_identity()
    assert warning.id == "people.W001"
    assert f"“moh” Ministry of health (id {source.pk})" in warning.msg
    assert f"“MOH” Ministry of Health (id {target.pk})" in warning.msg
    assert "manage.py merge_agencies 'moh' 'MOH'" in warning.hint
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "people.W001" in out.getvalue() and "Ministry of health" in out.getvalue()


def test_the_check_names_people_differing_only_by_case(before_the_rule):
    UserFactory(username="pema", employee_id="E1", first_name="Pema", last_name="Wangmo")
    UserFactory(username="PEMA", employee_id="e1", first_name="Pema", last_name="Dema")
    found = {w.id: w.msg for w in check_one_identity()}
    assert set(found) == {"people.W002", "people.W003"}
    assert "“pema” Pema Wangmo" in found["people.W002"] and "“PEMA” Pema Dema" in found["people.W002"]
    assert "“E1”" in found["people.W003"] and "“e1”" in found["people.W003"]


# --- the migration -------------------------------------------------------------------------
def _migration():
    return importlib.import_module("people.migrations.0003_identity_normalise")


def test_the_migration_upper_cases_codes_that_clash_with_nothing(before_the_rule):
    agency = AgencyFactory(code="GNH")
    Agency.objects.filter(pk=agency.pk).update(code=" gnh")
    _migration().normalise_and_check(apps, None)
    agency.refresh_from_db()
    assert agency.code == "GNH"


def test_the_migration_stops_on_duplicates_and_says_to_merge_them(duplicates):
    with pytest.raises(CommandError) as stopped:
        _migration().normalise_and_check(apps, None)
    message = str(stopped.value)
    assert "Ministry of health" in message and "Ministry of Health" in message
    assert "manage.py merge_agencies 'moh' 'MOH'" in message
    assert "migrate" in message


# --- merge_agencies ------------------------------------------------------------------------
def test_merge_moves_every_reference_and_deactivates_the_source(duplicates, signals):
    source, target = duplicates
    moved = UserFactory(username="karma", agency=source)
    stays = UserFactory(username="pema", agency=target)
    contribution = ContributionFactory(agency=source)
    only_source = ProposalFactory(partners=[source])
    both = ProposalFactory(partners=[source, target])
    output = merge("moh", "MOH")

    moved.refresh_from_db()
    contribution.refresh_from_db()
    source.refresh_from_db()
    assert moved.agency == target and contribution.agency == target
    assert list(only_source.partner_agencies.all()) == [target]
    assert list(both.partner_agencies.all()) == [target]
    assert not source.is_active and source.code == f"MOH-MERGED{source.pk}"
    assert Agency.objects.filter(pk=source.pk).exists()  # deactivated, never deleted
    assert User.objects.get(pk=stays.pk).agency == target
    assert f"Moved 1 people (agency) (ids {moved.pk})." in output
    assert "Moved 1 contributions (agency)" in output
    assert f"Moved 2 proposals (partner_agencies) (ids {only_source.pk}, {both.pk})." in output
    assert "Deactivated Ministry of health (moh)" in output
    # announced once, with exactly the people and proposals that changed
    assert signals["people"] == [[moved.pk]]
    assert sorted(signals["proposals"]) == sorted([only_source.pk, both.pk])
    assert check_one_identity() == []


def test_a_dry_run_says_what_would_move_and_changes_nothing(duplicates, signals):
    source, target = duplicates
    person = UserFactory(agency=source)
    output = merge("moh", "MOH", "--dry-run")
    assert f"Would move 1 people (agency) (ids {person.pk})." in output
    assert "Nothing was changed (dry run)." in output
    source.refresh_from_db()
    person.refresh_from_db()
    assert source.is_active and source.code == "moh" and person.agency == source
    assert signals == {"people": [], "proposals": []}


def test_merge_refuses_unknown_or_identical_agencies(duplicates):
    with pytest.raises(CommandError, match="No agency has the code"):
        merge("NOPE", "MOH")
    with pytest.raises(CommandError, match="same agency"):
        merge("MOH", "MOH")


def test_merge_joins_two_different_codes_too(db, signals):
    source = AgencyFactory(code="DOT", name="Department of Transport")
    target = AgencyFactory(code="MOIT", name="Ministry of Infrastructure and Transport")
    person = UserFactory(agency=source)
    merge("dot", "moit")
    person.refresh_from_db()
    source.refresh_from_db()
    assert person.agency == target and not source.is_active
    assert source.code == f"DOT-MERGED{source.pk}"
    assert signals["people"] == [[person.pk]]


def test_announce_only_recomputes_everyone_of_the_target(db, signals):
    target = AgencyFactory(code="MOH")
    people = [UserFactory(agency=target).pk for _ in range(2)]
    proposal = ProposalFactory(partners=[target])
    output = merge("--announce-only", "moh")
    assert signals["people"] == [sorted(people)] and signals["proposals"] == [proposal.pk]
    assert "Announced 2 people" in output
