"""Words built in Python and handed to templates or messages (not through a form, a
notice or a refusal the i18n check reads) are translated too: found on Dzongkha pages by a
walkthrough (the ranking chart's heading, the public figures' "fewer than 5", the
collaboration figure's "4 or more", the money charts' headings, a proposal's missing fields)."""

import pytest
from django.utils import translation

from analytics import public
from fund.templatetags.money_charts import award_release_chart
from proposals.factories import ProposalFactory
from proposals.rules import required_fields_filled
from reviews.templatetags.ranking_charts import ranking_chart

pytestmark = pytest.mark.django_db


def _in(language, make):
    with translation.override(language):
        return make()


def test_a_hidden_public_count_is_said_in_the_readers_language():
    english = _in("en-gb", lambda: public.shown(None))
    assert english == "fewer than 5"
    assert _in("dz", lambda: public.shown(None)) not in ("", english)
    assert _in("dz", lambda: public.shown(15)) == "15"


def test_chart_section_headings_are_translated(monkeypatch):
    import reviews.templatetags.ranking_charts as tag

    monkeypatch.setattr(tag, "build", lambda **kwargs: None)
    for totals_shown in (True, False):
        english = _in("en-gb", lambda shown=totals_shown: ranking_chart(None, [], shown)["heading"])
        dzongkha = _in("dz", lambda shown=totals_shown: ranking_chart(None, [], shown)["heading"])
        assert english and dzongkha != english

    import fund.templatetags.money_charts as money_tag

    monkeypatch.setattr(money_tag.money_charts, "award_release_chart", lambda **kwargs: None)
    english = _in("en-gb", lambda: award_release_chart(None, 0, 0, "BTN")["heading"])
    assert english == "Money released so far"
    assert _in("dz", lambda: award_release_chart(None, 0, 0, "BTN")["heading"]) != english


def test_a_missing_field_before_submitting_is_named_in_the_readers_language():
    proposal = ProposalFactory(title="A title", summary="")
    english = _in("en-gb", lambda: required_fields_filled.errors(proposal))
    assert english["summary"] == ["Fill in “Summary” before submitting."]
    (dzongkha,) = _in("dz", lambda: required_fields_filled.errors(proposal))["summary"]
    assert "Fill in" not in dzongkha and "Summary" not in dzongkha


def test_the_collaboration_figure_labels_its_widest_row_in_the_readers_language():
    from analytics.figures import collaboration
    from people.factories import UserFactory

    manager = UserFactory(fund_manager=True)
    english = _in("en-gb", lambda: collaboration(viewer=manager, chosen={}))
    dzongkha = _in("dz", lambda: collaboration(viewer=manager, chosen={}))
    assert "4 or more" in str(english.tables) and "4 or more" not in str(dzongkha.tables)
