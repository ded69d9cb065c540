"""On PostgreSQL the API list's index (`proposal_updated`) carries the visibility test's
columns (proposals migration 0011, issue 16), so a deep page is read from the index alone."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE columns: PostgreSQL")
def test_proposal_updated_includes_state_and_submitted_at():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'proposal_updated'")
        (definition,) = cursor.fetchone()
    assert "(updated_at, id)" in definition
    assert "INCLUDE (state, submitted_at)" in definition
