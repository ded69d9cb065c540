"""The admin's history of an object shows times in Asia/Thimphu, as the pages do."""

import datetime
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType

from fund.factories import RoundFactory
from workflow.admin import history_table
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_the_admin_history_is_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Thimphu"
    round_ = RoundFactory()
    at = datetime.datetime(2026, 11, 28, 15, 10, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        TransitionLog.objects.create(
            content_type=ContentType.objects.get_for_model(round_), object_id=round_.pk,
            transition="open", from_state="draft", to_state="open", note="",
        )
    html = history_table(round_)
    assert "28 Nov 2026 21:10" in html  # Asia/Thimphu is UTC+6
    assert "28 Nov 2026 15:10" not in html
