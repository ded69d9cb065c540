"""Visible text (walkthrough and attack findings): a title or name made only of invisible
characters, or holding a bidirectional control, is refused in every channel (page, API,
admin, import, services) with a plain message; Dzongkha with its tsheg and a zero-width
joiner inside a word are kept."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from fund.factories import FundFactory, RoundFactory
from fund.models import Fund, Round
from fund.services import fund_update
from people.factories import AgencyFactory, UserFactory
from people.imports import AgencyImport, CivilServantImport
from people.models import Agency, User
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from proposals.services import proposal_update
from rewards import services as rewards
from tests.api.conftest import client_for
from tests.proposals.test_pages import form_data
from workflow.bounds import BOUNDED_APPS, has_visible_character, visible_text, visible_text_problem

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u200b\u200b",         # zero-width spaces
    "\u200d",               # zero-width joiner
    "\u200c\u2060",         # non-joiner, word joiner
    "\u00ad\u00ad",         # soft hyphens
    "\ufeff",               # zero-width no-break space
    "\u00a0\u2003\u3000",   # no-break, em and ideographic spaces
    "\u3164",               # Hangul filler (shows nothing)
    "\u2800 \u200b",        # braille blank
    "\U00016fe4\U00016fe4",  # Khitan small script filler (an outsider's attack)
    "\U0001d159",           # musical symbol null notehead: draws nothing
    "\u0301\u0301\u0301",   # combining marks with no letter to sit on
    "\u0489 \u0e47",        # an enclosing mark, a Thai tone mark
    "\U0001d165",           # a combining stem
]
BIDI = ["Budget\u202ereview", "\u2066Queue\u2069 lights", "\u200fQueue", "a\u202ab", "x\u200ey"]
DZONGKHA = "བཀྲ་ཤིས་བདེ་ལེགས།"  # with the tsheg U+0F0B between syllables
KEPT = [DZONGKHA, "་", "ཀ\u200dྲ", "co\u00adoperation", "e-Ride \u200b pilot", "Queue lights",
        "e\u0301cole", "ཀྲུང"]  # a mark on its letter; Dzongkha vowel signs on consonants


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_text_of_only_invisible_characters_has_no_visible_character(text):
    assert not has_visible_character(text)
    assert visible_text_problem(text)[0] == "no_visible_text"


@pytest.mark.parametrize("text", BIDI)
def test_a_bidirectional_control_is_refused_even_among_visible_letters(text):
    assert visible_text_problem(text)[0] == "bidi_control"


@pytest.mark.parametrize("text", KEPT)
def test_dzongkha_and_joiners_inside_words_are_kept(text):
    assert visible_text_problem(text) is None
    visible_text(text)  # no error


def test_every_title_and_name_of_the_fund_models_has_the_rule():
    """Model forms, the admin and model serializers take a field's validators."""
    fields = [f for app in BOUNDED_APPS for m in apps.get_app_config(app).get_models()
              for f in m._meta.concrete_fields
              if isinstance(f, models.CharField) and not f.choices]
    assert {"title", "name"} <= {f.name for f in fields}
    for field in fields:
        assert visible_text in field.validators, field


def test_the_message_is_translated():
    with translation.override("dz"):
        translated = visible_text_problem("\u200b")[1]
    with translation.override("en"):
        assert visible_text_problem("\u200b")[1] == \
            "Write some visible text: this has only spaces or invisible characters."
    assert translated  # shown in the reader's language when a translation exists


# --- pages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("title", ["\u200b\u2060\u00ad", "Queue\u202e lights"])
def test_the_proposal_form_refuses_an_invisible_or_reordering_title(client, title):
    round_ = RoundFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("proposals:create"), form_data(round_, title=title))
    assert response.status_code == 400
    page = response.content.decode()
    assert ("Write some visible text" in page) or ("hidden text-direction" in page)
    assert not Proposal.objects.exists()


def test_the_fund_form_refuses_a_name_of_zero_width_spaces(client):
    client.force_login(UserFactory(fund_manager=True))
    response = client.post(reverse("fund:create"), {
        "name": "\u200b\u200b", "slug": "zw", "currency": "BTN", "description": ""})
    assert "Write some visible text" in response.content.decode()
    assert not Fund.objects.filter(slug="zw").exists()


def test_the_learning_form_refuses_an_invisible_title(client):
    client.force_login(UserFactory())
    response = client.post(reverse("rewards:learning_create"), {
        "title": "\u2060\u200d", "kind": "success", "what_we_tried": "a", "what_happened": "b",
        "what_we_learned": "c", "visibility": "internal"})
    assert "Write some visible text" in response.content.decode()


def test_the_admin_refuses_an_agency_named_with_a_direction_override(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post("/admin/people/agency/add/", {
        "code": "MOX", "name": "Ministry\u202e of X", "kind": "ministry", "is_active": "on"})
    assert response.status_code == 200
    assert "hidden text-direction" in str(response.context["adminform"].form.errors["name"])
    assert not Agency.objects.filter(code="MOX").exists()


# --- API --------------------------------------------------------------------------------------
def test_the_api_refuses_an_invisible_proposal_title_and_a_bidi_fund_name():
    round_ = RoundFactory()
    api = client_for(UserFactory())
    refused = api.post("/api/v1/proposals/", {"round": round_.pk, "title": "\u200b \u200b"},
                       format="json")
    assert refused.status_code == 400 and "title" in refused.json()
    assert "visible text" in str(refused.json())
    assert not Proposal.objects.exists()
    manager = client_for(UserFactory(fund_manager=True))
    refused = manager.post("/api/v1/funds/", {"name": "Fund\u202e", "slug": "bidi",
                                              "currency": "BTN"}, format="json")
    assert refused.status_code == 400 and "name" in refused.json(), refused.content
    assert not Fund.objects.filter(slug="bidi").exists()


def test_the_learning_service_refuses_a_tag_of_zero_width_spaces():
    writer = UserFactory()
    with pytest.raises(ValidationError) as error:
        rewards.learning_create(actor=writer, title="Queues", kind="success",
                                what_we_tried="a", what_happened="b", what_we_learned="c",
                                tags="health, \u200b\u200b")
    assert "tags" in error.value.message_dict


# --- imports ----------------------------------------------------------------------------------
def test_the_agency_import_refuses_an_invisible_name_and_names_the_row():
    data = "code,name,kind\nMOH,\u200b\u200b,ministry\n".encode()
    report = AgencyImport(system=True).run(data, "agencies.csv")
    assert not report.applied
    assert "visible text" in str(report.summary()) + repr(report)
    assert not Agency.objects.filter(code="MOH").exists()


def test_the_people_import_refuses_a_position_title_with_a_direction_override():
    AgencyFactory(code="MOH")
    header = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"
    data = f"{header}\nE1,pema,Pema,Wangmo,p@gov.bt,MOH,Officer\u202e,P3\n".encode()
    report = CivilServantImport(system=True).run(data, "people.csv")
    assert not report.applied
    assert "hidden text-direction" in str(report.summary()) + repr(report)
    assert not User.objects.filter(employee_id="E1").exists()


# --- the model layer: the last net ------------------------------------------------------------
def test_a_service_refuses_an_invisible_title_and_the_model_net_refuses_any_save():
    draft = ProposalFactory(ready=True)
    with pytest.raises(ValidationError) as error:
        proposal_update(actor=draft.lead, proposal=draft, title="\u200b")
    assert "title" in error.value.message_dict
    fund = FundFactory()
    fund.name = "\u2066Fund\u2069"
    with pytest.raises(ValidationError) as error:
        fund.save()  # no full_clean: the pre_save net
    assert "name" in error.value.message_dict
    round_ = RoundFactory()
    round_.title = "\u00ad"
    with pytest.raises(ValidationError):
        round_.save()


def test_a_title_stored_before_the_rule_is_kept_on_later_saves():
    fund = FundFactory()
    Fund.objects.filter(pk=fund.pk).update(name="Old\u202efund")
    fund = Fund.objects.get(pk=fund.pk)
    fund.description = "Still here."
    fund.save()  # a later change (a service saving without full_clean) is not stopped
    assert Fund.objects.get(pk=fund.pk).name == "Old\u202efund"
    fund.name = "Old\u202efund\u202e"  # but a new bad value is
    with pytest.raises(ValidationError):
        fund.save()
    fund_update(actor=UserFactory(fund_manager=True), fund=Fund.objects.get(pk=fund.pk),
                name="Old fund")  # and the form that shows the name lets it be mended
    assert Fund.objects.get(pk=fund.pk).name == "Old fund"


def test_dzongkha_titles_are_stored():
    round_ = RoundFactory(title=DZONGKHA)
    assert Round.objects.get(pk=round_.pk).title == DZONGKHA
    draft = ProposalFactory(ready=True)
    proposal_update(actor=draft.lead, proposal=draft, title="ཀ\u200dྲ་ཤིས")
    assert Proposal.objects.get(pk=draft.pk).title == "ཀ\u200dྲ་ཤིས"
