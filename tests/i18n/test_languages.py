"""The interface in English and Dzongkha (issue 18): the language comes from a signed-in
person's saved choice, else the language cookie the switcher sets, else the browser's; pages,
states, transitions and refused actions read in Dzongkha where the catalogue has them and in
English where it does not (never blank); English pages are unchanged."""

import ast
import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from people.factories import PASSWORD, UserFactory
from proposals.factories import ProposalFactory
from workflow import display

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
DZ_DASHBOARD = "ངོ་སྟོན་ཤོག་ལེབ།"  # "Dashboard"
DZ_SIGN_OUT = "ཕྱིར་ཐོན།"  # "Sign out"
DZ_DRAFT = "ཟིན་བྲིས།"  # the state "Draft"
DZ_SIGN_IN = "ནང་བསྐྱོད།"  # "Sign in"


def _nav(page: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)


def _badges(page: str) -> list[str]:
    return re.findall(r'<span class="badge badge-draft">([^<]*)</span>', page)


@pytest.fixture
def drafter(civil_servant):
    ProposalFactory(lead=civil_servant, title="Cleaner water in Punakha")
    return civil_servant


# --- settings --------------------------------------------------------------------------------


def test_english_and_dzongkha_with_the_locale_middleware_in_its_place():
    assert settings.LANGUAGE_CODE == "en-gb"
    assert [code for code, _ in settings.LANGUAGES] == ["en-gb", "dz"]
    assert dict(settings.LANGUAGES) == {"en-gb": "English", "dz": "རྫོང་ཁ"}
    assert settings.LOCALE_PATHS == [settings.BASE_DIR / "locale"]
    chain = settings.MIDDLEWARE
    locale = chain.index("django.middleware.locale.LocaleMiddleware")
    assert chain.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < chain.index("django.middleware.common.CommonMiddleware")
    mine = chain.index("people.language.UserLanguageMiddleware")
    # after sign-in and the session checks, which must see a session before anything reads it
    assert chain.index("django.contrib.auth.middleware.AuthenticationMiddleware") < mine
    assert chain.index("people.sessions.PrivilegedSessionMiddleware") < mine


# --- pages in each language ------------------------------------------------------------------


def test_english_stays_the_default_and_unchanged(client, drafter):
    client.force_login(drafter)
    response = client.get("/")
    page = response.content.decode()
    assert response["Content-Language"] == "en-gb"
    assert '<html lang="en-gb">' in page
    assert ">Dashboard<" in _nav(page) and ">Sign out<" in _nav(page)
    assert _badges(page) == ["Draft"]


def test_a_page_in_dzongkha_by_the_cookie(client, drafter):
    client.force_login(drafter)
    client.cookies[COOKIE] = "dz"
    response = client.get("/")
    page = response.content.decode()
    assert response["Content-Language"] == "dz"
    assert '<html lang="dz">' in page
    nav = _nav(page)
    assert DZ_DASHBOARD in nav and DZ_SIGN_OUT in nav
    assert ">Dashboard<" not in nav and ">Sign out<" not in nav
    assert _badges(page) == [DZ_DRAFT]
    assert "Cleaner water in Punakha" in page  # what people typed is never translated


def test_a_page_in_dzongkha_by_the_saved_choice_which_wins_over_the_cookie(client, drafter):
    drafter.language = "dz"
    drafter.save(update_fields=["language"])
    client.force_login(drafter)
    page = client.get("/").content.decode()  # no cookie: another browser
    assert DZ_DASHBOARD in _nav(page) and _badges(page) == [DZ_DRAFT]
    client.cookies[COOKIE] = "en-gb"
    response = client.get("/")
    assert DZ_DASHBOARD in _nav(response.content.decode())
    # the browser is brought in line, so it keeps the language once the person signs out
    assert response.cookies[COOKIE].value == "dz"
    client.post("/logout/")
    assert DZ_SIGN_IN in _nav(client.get("/").content.decode())


def test_a_visitor_reads_the_public_pages_in_dzongkha(client, db):
    client.cookies[COOKIE] = "dz"
    landing = client.get("/").content.decode()
    assert DZ_SIGN_IN in _nav(landing)
    assert "མི་མང་ཞབས་ཏོག་གི་དོན་ལུ་" in landing  # "Try new ideas for public services, together"
    assert "Try new ideas for public services" not in landing
    help_page = client.get("/help/conflicts/").content.decode()
    assert "ཁེ་ཕན་འགལ་ཟླ" in help_page  # "conflict of interest"
    figures = client.get("/analytics/public/").content.decode()
    assert "ཨང་གྲངས་ནང་ལུ་ མ་དངུལ།" in figures  # "The fund in figures"


def test_the_browser_language_is_used_when_nothing_was_chosen(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="dz").content.decode()
    assert DZ_SIGN_IN in _nav(page)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert ">Sign in<" in _nav(page) and '<html lang="en-gb">' in page


def test_the_home_page_in_dzongkha_asks_the_database_no_more(client, drafter):
    client.force_login(drafter)
    client.get("/")  # warm the per-process caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    english = count()
    client.cookies[COOKIE] = "dz"
    assert count() == english
    del client.cookies[COOKIE]
    drafter.language = "dz"
    drafter.save(update_fields=["language"])
    assert count() == english  # the saved choice rides on the user row already read


# --- the catalogue ---------------------------------------------------------------------------


def test_every_state_and_transition_name_reads_in_dzongkha():
    from fund.models import Award, Round, Tranche
    from jobs.models import Job
    from proposals.models import Proposal, TeamMember
    from reviews.models import Assignment
    from rewards.models import LearningAuthor, Nomination
    from workflow.labels import WORDS

    labels = [
        label
        for model in (
            Proposal,
            Round,
            Award,
            Tranche,
            Assignment,
            Nomination,
            TeamMember,
            LearningAuthor,
            Job,
        )
        for _, label in model.State.choices
    ]
    labels += list(WORDS.values())
    with translation.override("en-gb"):
        english = {str(label): label for label in labels}
    with translation.override("dz"):
        untranslated = [text for text, label in english.items() if str(label) == text]
        blank = [text for text, label in english.items() if not str(label).strip()]
    assert not untranslated and not blank


def test_a_missing_translation_falls_back_to_english_never_to_blank():
    # Listed in the catalogue but not translated yet (msgstr ""), and not listed at all.
    untranslated = [
        msgid
        for msgid, msgstr in _po_entries().items()
        if not msgstr and msgid and "|" not in msgid and "%" not in msgid
    ]
    with translation.override("dz"):
        for msgid in untranslated:
            assert gettext(msgid) == msgid
        assert gettext("A sentence no catalogue has.") == "A sentence no catalogue has."
        assert display.words("some_new_step") == "Some new step"
        assert gettext("Dashboard") == DZ_DASHBOARD


def test_the_compiled_catalogue_matches_its_source_and_has_no_blank_or_fuzzy_entry():
    import gettext as gnu

    po = (settings.BASE_DIR / "locale/dz/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po  # a fuzzy entry is left out of the .mo, silently English
    assert "first draft" in po.split("msgid", 1)[0].lower()  # the note for the reviewer
    with open(settings.BASE_DIR / "locale/dz/LC_MESSAGES/django.mo", "rb") as mo:
        compiled = gnu.GNUTranslations(mo)._catalog
    translated = {key: value for key, value in _po_entries().items() if value}
    assert len(translated) >= 300
    compiled = {
        (key[0] if isinstance(key, tuple) else key): value
        for key, value in compiled.items()
        if key != ""
    }
    assert all(value.strip() for value in compiled.values())
    assert {k.split("\x04")[-1]: v for k, v in compiled.items()} == {
        k.split("|")[-1]: v for k, v in translated.items()
    }, "run compilemessages"


def test_dzongkha_translations_keep_western_digits():
    """SCREENS.md: in Dzongkha numbers stay in Western digits, in the words of the catalogue
    as in the numbers the pages format (a translation wrote "20 MB" and month numbers with
    Tibetan digits, U+0F20-U+0F29)."""
    tibetan_digit = re.compile("[\u0f20-\u0f29]")
    assert [msgid for msgid, text in _po_entries().items()
            if text and tibetan_digit.search(text)] == []


def _po_entries() -> dict[str, str]:
    """msgid (with `context|` before it when it has one) → msgstr (msgstr[0] for plurals)."""
    text = (settings.BASE_DIR / "locale/dz/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n")[1:]:
        fields, current = {}, None
        for line in block.splitlines():
            if line.startswith("#") or '"' not in line:
                continue
            key = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ", line)
            if key:
                current = key.group(1)
                fields[current] = ""
            fields[current] += ast.literal_eval(line[line.index('"') :])
        if "msgid" in fields:
            context = fields["msgctxt"] + "|" if "msgctxt" in fields else ""
            entries[context + fields["msgid"]] = fields.get("msgstr[0]", fields.get("msgstr"))
    return entries


# --- dates, numbers and money ----------------------------------------------------------------


def test_dates_and_numbers_in_dzongkha_money_as_in_english():
    moment = timezone.make_aware(datetime.datetime(2026, 11, 28, 14, 5))
    with translation.override("en-gb"):
        assert display.day(datetime.date(2026, 11, 28)) == "28 Nov 2026"
        assert display.deadline(moment) == "28 Nov 2026, 14:05 Bhutan time"
        assert display.money("1250000") == "BTN 1,250,000.00"
    with translation.override("dz"):
        assert display.day(datetime.date(2026, 11, 28)) == "28 ཟླ་11 2026"
        assert display.moment(moment) == "28 ཟླ་11 2026, 14:05"
        assert display.deadline(moment) == "28 ཟླ་11 2026, 14:05 འབྲུག་གི་ཆུ་ཚོད།"
        assert display.money("1250000") == "BTN 1,250,000.00"
        assert display.money("500", "Nu.") == "Nu. 500.00"
    assert formats.get_format("DATE_FORMAT", lang="dz") == "j M Y"
    assert formats.get_format("DECIMAL_SEPARATOR", lang="dz") == "."
    assert formats.get_format("THOUSAND_SEPARATOR", lang="dz") == ","
    assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS", lang="dz")
    assert formats.get_format("DATE_FORMAT", lang="en-gb") == "j M Y"  # Django's own, unchanged


# --- refused actions -------------------------------------------------------------------------


def test_a_refused_action_says_why_in_the_page_language():
    from proposals.services.drafting import _require_drafter

    for language, expected in (
        ("en-gb", "Sign in to draft a proposal."),
        ("dz", "གྲོས་འཆར་ཅིག་ ཟིན་བྲིས་འབད་ནིའི་དོན་ལུ་ ནང་བསྐྱོད་འབད།"),
    ):
        with translation.override(language), pytest.raises(PermissionDenied) as refused:
            _require_drafter(AnonymousUser())
        assert str(refused.value) == expected


# --- the switcher ----------------------------------------------------------------------------


def test_the_layout_offers_each_language_in_its_own_name(client, db):
    page = client.get("/").content.decode()
    form = re.search(r'<form class="container language-switch".*?</form>', page, re.S).group(0)
    assert 'method="post" action="/i18n/setlang/"' in form and "csrfmiddlewaretoken" in form
    assert 'name="next" value="/"' in form
    assert (
        '<button type="submit" class="button-link language-option" name="language" '
        'value="en-gb" lang="en-gb" aria-pressed="true">English</button>'
    ) in form
    assert 'value="dz" lang="dz" aria-pressed="false">རྫོང་ཁ</button>' in form
    assert 'aria-labelledby="language-label"' in form


def test_the_switcher_sets_the_cookie_for_a_visitor(client, db):
    response = client.post("/i18n/setlang/", {"language": "dz", "next": "/help/conflicts/"})
    assert response.status_code == 302 and response["Location"] == "/help/conflicts/"
    assert response.cookies[COOKIE].value == "dz"
    assert DZ_SIGN_IN in _nav(client.get("/").content.decode())
    client.post("/i18n/setlang/", {"language": "en-gb", "next": "/"})
    assert ">Sign in<" in _nav(client.get("/").content.decode())


def test_the_switcher_saves_a_signed_in_persons_choice(client, civil_servant):
    client.force_login(civil_servant)
    response = client.post("/i18n/setlang/", {"language": "dz", "next": "/"})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "dz"
    civil_servant.refresh_from_db()
    assert civil_servant.language == "dz"


@pytest.mark.parametrize("code", ["xx", "fr", "", "dz'><script>", "EN-GB" * 30])
def test_a_language_that_is_not_offered_changes_nothing_and_fails_nothing(
    client, civil_servant, code
):
    client.force_login(civil_servant)
    response = client.post("/i18n/setlang/", {"language": code, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert COOKIE not in response.cookies
    civil_servant.refresh_from_db()
    assert civil_servant.language == ""


def test_the_switcher_takes_a_code_in_any_case(client, civil_servant):
    client.force_login(civil_servant)
    response = client.post("/i18n/setlang/", {"language": " DZ ", "next": "/"})
    assert response.cookies[COOKIE].value == "dz"
    civil_servant.refresh_from_db()
    assert civil_servant.language == "dz"


def test_the_switcher_only_goes_back_to_this_site_and_only_by_post(client, db):
    response = client.post("/i18n/setlang/", {"language": "dz", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/i18n/setlang/?language=dz").status_code == 405


def test_a_visitors_choice_is_kept_at_sign_in(client, db):
    person = UserFactory(username="tashi")
    client.post("/i18n/setlang/", {"language": "dz", "next": "/"})  # chosen in this visit
    response = client.post("/login/", {"username": "tashi", "password": PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "dz"
    # ... but never over a choice already saved
    other = UserFactory(username="pema", language="en-gb")
    client.post("/logout/")
    client.cookies[COOKIE] = "dz"
    client.post("/login/", {"username": "pema", "password": PASSWORD})
    other.refresh_from_db()
    assert other.language == "en-gb"


def test_a_notice_caused_in_dzongkha_is_written_in_the_funds_language(db):
    """A message goes to everyone it names: the language of the request that caused it (a
    Dzongkha reader's) must not be the message's (found by the i18n helper)."""
    from django.utils import timezone, translation

    from fund.factories import RoundFactory
    from notifications.notices import Notice
    from notifications.services import notify
    from people.factories import UserFactory

    reader = UserFactory()
    round_ = RoundFactory(closes_at=timezone.now() + timezone.timedelta(days=30))
    notice = Notice(audience=lambda subject: [reader], title="Closes {closes_at}",
                    body="{round} takes proposals until {closes_at}.")
    with translation.override("dz"):
        [made] = notify(subject=round_, notices=[notice], kind="t", key="k", email=False)
    assert "Bhutan time" in made.body and "ཟླ" not in made.body, made.body


def test_an_invitation_is_written_in_the_invited_persons_language(db, monkeypatch):
    """An import run by a Dzongkha reader invites people in their own language (the default
    until they choose), never the importer's; one who chose Dzongkha gets it in Dzongkha."""
    from django.utils import translation

    from people import invitations
    from people.factories import UserFactory

    seen = []
    real = invitations.render_to_string

    def spy(template, context):
        seen.append(translation.get_language())
        return real(template, context)

    monkeypatch.setattr(invitations, "render_to_string", spy)
    english, dzongkha = UserFactory(email="a@x.bt"), UserFactory(email="b@x.bt")
    dzongkha.language = "dz"
    with translation.override("dz"):
        message = invitations.invitation_email(english)
        invitations.invitation_email(dzongkha)
    assert seen == ["en-gb", "en-gb", "dz", "dz"]
    assert "Your username is:" in message.body


def test_a_refused_file_and_a_rows_errors_read_in_the_page_language():
    """Files in and out: the file's refusal and a row's errors are written in the page's
    language, and in English exactly as before."""
    from django.core.exceptions import ValidationError

    from datafiles.tables import RowError, read_table

    def refusal(data, name):
        with pytest.raises(ValidationError) as refused:
            read_table(data, name, ["code", "name"])
        return refused.value.message_dict["file"][0]

    with translation.override("en-gb"):
        assert refusal(b"code,kind\nMOH,x\n", "a.csv") == (
            "Wrong header (missing name; unexpected kind). Expected exactly: code,name.")
        assert refusal(b"x", "a.txt") == "“a.txt” is not a CSV or XLSX file."
        assert str(RowError(2, "code", "x")) == "Row 2, code: x"
    with translation.override("dz"):
        assert refusal(b"code,kind\nMOH,x\n", "a.csv") == (
            "མགོ་ཡིག་ ནོར་འདུག (name མེདཔ།; རེ་བ་མེད་པའི་ kind)། དགོས་མི་ཚུ་ ཏག་ཏག་ འདི་ཨིན: "
            "code,name.")
        assert refusal(b"x", "a.txt") == "“a.txt” འདི་ CSV ཡང་ན་ XLSX ཡིག་སྣོད་ མེན།"
        assert str(RowError(2, "code", "x")) == "གྲལ་ཐིག་ 2, code: x"


def test_who_acts_on_a_stalled_proposal_reads_in_the_page_language():
    from reviews.chairs import ACTS_ON_IT

    with translation.override("en-gb"):
        assert ACTS_ON_IT["deputy chair"] % {"person": "Pema"} == (
            "The panel's deputy chair, Pema, acts on this proposal.")
    with translation.override("dz"):
        assert ACTS_ON_IT["deputy chair"] % {"person": "Pema"} == (
            "ཚོགས་ཆུང་གི་ཁྲི་འཛིན་གཞོན་པ་ Pema གིས་ གྲོས་འཆར་འདི་གུར་ ལཱ་འབདཝ་ཨིན།")


def test_the_last_persons_cookie_is_never_saved_on_the_next(client, db):
    """Found by an outsider's attack: on a shared computer, pema's cookie (dz) was saved on
    karma's account when karma signed in after her. Only a choice made in this visit is."""
    UserFactory(username="pema", language="dz")
    karma = UserFactory(username="karma")
    client.post("/login/", {"username": "pema", "password": PASSWORD})
    client.get("/")
    assert client.cookies[COOKIE].value == "dz"  # the browser keeps pema's language
    client.post("/logout/")
    client.post("/login/", {"username": "karma", "password": PASSWORD})
    karma.refresh_from_db()
    assert karma.language == ""


def test_a_password_reset_is_written_in_the_account_holders_language(client, db):
    """Found by an outsider's attack: anyone may ask for a reset, and the asker's cookie set
    the subject of the account holder's email."""
    from django.core import mail

    UserFactory(username="karma", email="karma@demo.gov.bt")
    client.cookies[COOKIE] = "dz"
    client.get("/password/reset/")
    response = client.post("/password/reset/", {"email": "karma@demo.gov.bt"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "Set your Innovation Fund password"


def test_the_password_reset_email_body_is_in_the_account_holders_language(client, db):
    """Walkthrough: the subject followed the account holder's language, the body was English
    whatever it was (Django's own words in the project's template, never marked)."""
    from django.core import mail

    UserFactory(username="dorji", first_name="Dorji", last_name="Wangmo",
                email="dorji@demo.gov.bt", language="dz")
    UserFactory(username="karma", first_name="Karma", last_name="Tshering",
                email="karma@demo.gov.bt")
    client.cookies[COOKIE] = "en"  # the asker reads English
    client.post("/password/reset/", {"email": "dorji@demo.gov.bt"})
    client.cookies[COOKIE] = "dz"  # the asker reads Dzongkha
    client.post("/password/reset/", {"email": "karma@demo.gov.bt"})
    dorji, karma = mail.outbox
    with translation.override("dz"):
        dear = gettext("Dear %(name)s,") % {"name": "Dorji Wangmo"}
        username = gettext("Your username is: %(username)s") % {"username": "dorji"}
    assert dear != "Dear Dorji Wangmo,"  # the catalogue has it
    assert dear in dorji.body and username in dorji.body
    assert "Dear Dorji" not in dorji.body and "/password/set/" in dorji.body
    assert karma.body.startswith("Dear Karma Tshering,")
    assert "Your username is: karma" in karma.body and "/password/set/" in karma.body
