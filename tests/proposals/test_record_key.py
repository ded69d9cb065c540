"""Each proposal's record key (analytics/public.py: the public figures' cell keys): drawn at
random from 0 to 255 when the proposal is created, whichever way, kept, never shown."""

import importlib

import pytest
from django.db import connection

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.api import ProposalSerializer
from proposals.factories import ProposalFactory
from proposals.forms import ProposalForm
from proposals.models import Proposal
from proposals.services import proposal_create

pytestmark = pytest.mark.django_db


def spread(keys) -> bool:
    """Keys in 0..255, and not all one value (40 equal random keys: 256^-39)."""
    keys = list(keys)
    return all(0 <= k <= 255 for k in keys) and len(set(keys)) > 1


def test_a_new_proposal_gets_a_random_key_that_stays():
    round_ = RoundFactory()
    made = [proposal_create(actor=UserFactory(), round_=round_, title=f"P{i}")
            for i in range(40)]
    assert spread(p.record_key for p in made)
    first = made[0]
    key = first.record_key
    first.title = "Renamed"
    first.save()
    first.refresh_from_db()
    assert first.record_key == key
    assert spread(p.record_key for p in ProposalFactory.create_batch(40))


def test_the_key_is_in_no_form_nor_api():
    assert "record_key" not in ProposalForm.base_fields
    assert "record_key" not in ProposalSerializer().fields


class _Editor:
    """What the migration's function uses of a schema editor."""

    connection = connection

    def quote_name(self, name):
        return connection.ops.quote_name(name)

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_gives_each_existing_proposal_its_own_random_key():
    from django.apps import apps

    ProposalFactory.create_batch(40)
    Proposal.objects.update(record_key=0)
    migration = importlib.import_module("proposals.migrations.0010_proposal_record_key")
    migration.random_keys(apps, _Editor())
    assert spread(Proposal.objects.values_list("record_key", flat=True))
