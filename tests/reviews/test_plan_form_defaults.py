"""The assignment plan's forms: the due date is filled in (two weeks from today) and the
choices say what to choose, never Django's "---------" (found by a new user)."""

import datetime

from django.utils import timezone

from reviews.factories import PanelFactory
from reviews.forms import AssignForm, PlanAcceptForm


def test_the_plan_forms_offer_a_due_date_and_say_what_to_choose(db):
    panel = PanelFactory()
    due = timezone.localdate() + datetime.timedelta(days=14)
    assert PlanAcceptForm(prefix="plan")["due_on"].value() == due
    form = AssignForm(prefix="add", panel=panel, user=panel.chair)
    assert form["due_on"].value() == due
    html = str(form)
    assert "---------" not in html
    assert "Choose a proposal" in html and "Choose a reviewer" in html
