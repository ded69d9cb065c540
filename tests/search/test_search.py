"""The search page, the API, the highlighted matches and the hooks for other pages."""

import pytest
from django.template import Context, Template
from django.test import Client

from proposals.factories import ProposalFactory
from rewards.factories import LearningFactory
from search.selectors import search, similar_to
from search.services import refresh_similar
from search.templatetags.similar import shows_similar_work

from ..api.conftest import client_for


def page(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/search/", params)


def test_results_are_ranked_and_highlighted_on_the_page(world):
    response = page(world["lead"], q="antenatal reminders")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>" in html and "Antenatal" in html
    found = search(viewer=world["lead"], q="antenatal reminders")
    assert found.proposals[0].obj.pk == world["funded"].pk  # the title holds both words


def test_a_title_with_html_is_escaped_in_the_results(world):
    evil = ProposalFactory(lead=world["lead"], round=world["round"],
                           title='<img src=x onerror="alert(1)"> Yak cheese cooperative',
                           summary="<b>Yak</b> cheese & butter")
    response = page(world["lead"], q="yak cheese")
    html = response.content.decode()
    assert 'onerror="alert(1)"' not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    hit = next(h for h in search(viewer=world["lead"], q="yak").proposals if h.obj.pk == evil.pk)
    assert "<mark>Yak</mark>" in str(hit.title_html)
    # SQLite keeps the tag as escaped text; PostgreSQL's ts_headline drops it: never markup.
    assert "<mark>Yak</mark>" in str(hit.snippet_html) and "<b>" not in str(hit.snippet_html)


@pytest.mark.parametrize("q, expected", [
    ("", "Type a few words"), ("the of and", "only very common words"),
])
def test_empty_and_stop_word_queries_are_messages(world, q, expected):
    response = page(world["lead"], q=q)
    assert response.status_code == 200 and expected in response.content.decode()
    answer = client_for(world["lead"]).get("/api/v1/search/", {"q": q})
    assert answer.status_code == 200 and expected in answer.json()["message"]
    assert answer.json()["proposals"] == []


def test_a_very_long_query_is_bounded_on_the_page_and_in_the_api(world):
    q = "antenatal " * 500
    assert page(world["lead"], q=q).status_code == 200
    answer = client_for(world["lead"]).get("/api/v1/search/", {"q": q})
    assert answer.status_code == 200 and len(answer.json()["query"]) <= 200
    assert answer.json()["note"]


@pytest.mark.parametrize("q", ['"mothers" OR (sms* NEAR x) -health & | ! :A', "NOT AND",
                               "title : x", "x:A | y", "'; DROP TABLE x; --", "ཀུན་ཁྱབ"])
def test_query_syntax_is_only_text_in_the_database(world, q):
    search(viewer=world["lead"], q=q)  # no error from either database's query parser
    assert page(world["lead"], q=q).status_code == 200


def test_any_word_when_nothing_has_every_word(world):
    found = search(viewer=world["lead"], q="antenatal zebra")
    assert found.any_word and found.proposals


def test_the_api_answers_the_search(world):
    answer = client_for(world["stranger"]).get("/api/v1/search/", {"q": "mosquito", "limit": 5})
    body = answer.json()
    assert answer.status_code == 200
    assert [h["id"] for h in body["learnings"]] == [world["public"].pk]
    assert body["learnings"][0]["lesson"].startswith("Volunteers kept mapping")
    assert body["proposals"] == []  # in review, and the stranger takes no part in it
    funded = client_for(world["stranger"]).get("/api/v1/search/", {"q": "antenatal"}).json()
    entry = next(h for h in funded["proposals"] if h["id"] == world["funded"].pk)
    assert entry["url"] == "" and entry["agencies"] == ["MOA", "MOH"]


@pytest.mark.parametrize("params", [{"q": "x", "limit": "0"}, {"q": "x", "limit": "51"},
                                    {"q": "x", "limit": "ten"}, {"q": "x", "kind": "people"},
                                    {"q": "x", "limit": "9" * 30},
                                    # found by an outsider: 4,400 zeros then 1 was a 500
                                    {"q": "x", "limit": "0001" + "0" * 4400},
                                    {"q": "x", "limit": "\u0663"}])
def test_bad_parameters_are_400(world, params):
    answer = client_for(world["lead"]).get("/api/v1/search/", params)
    assert answer.status_code == 400


def test_the_schema_documents_the_search(world):
    schema = client_for(world["lead"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "limit"}


def test_similar_work_shows_the_lesson_of_an_earlier_learning(world):
    similar = similar_to(world["draft"], world["lead"])
    assert world["internal"].pk in {h.obj.pk for h in similar.learnings}
    hit = next(h for h in similar.learnings if h.obj.pk == world["internal"].pk)
    assert "antenatal" in hit.lesson


def test_the_similar_work_include_is_shown_to_the_team_while_drafting(world):
    template = Template("{% load similar %}{% similar_work proposal %}")
    html = template.render(Context({"proposal": world["draft"], "user": world["lead"]}))
    assert "Similar earlier work" in html and "Antenatal visit reminders" in html
    assert "What they learned" in html
    assert shows_similar_work(world["draft"], world["member"])
    assert not shows_similar_work(world["draft"], world["fund_manager"])
    assert not shows_similar_work(world["funded"], world["other_lead"])  # decided long ago
    stranger = template.render(Context({"proposal": world["draft"], "user": world["stranger"]}))
    assert "Similar earlier work" not in stranger


def test_the_queue_badge_names_a_likely_duplicate(world):
    twin = ProposalFactory(round=world["round"], lead=world["other_lead"], submitted=True,
                           partners=[world["moe"]], title="Dengue mosquito breeding site maps",
                           summary="Volunteers map stagnant water with a phone app.")
    assert refresh_similar(proposal_id=twin.pk)  # as after its submission
    template = Template("{% load similar %}{% for p in rows %}[{{ p.pk }}:"
                        "{% likely_duplicates_badge p rows %}]{% endfor %}")
    html = template.render(Context({"rows": [twin], "user": world["fund_manager"]}))
    assert "Possible duplicate" in html and "Dengue mosquito breeding site mapping" in html
    # The chair's agency partners both: the chair sees no duplicate it may not see.
    assert "Possible duplicate" not in template.render(
        Context({"rows": [twin], "user": world["chair"]}))


def test_the_index_follows_edits_and_deletes(world):
    learning = LearningFactory(title="Rope bridges need yearly checks")
    assert learning.pk in {h.obj.pk for h in search(viewer=world["lead"], q="rope").learnings}
    learning.title = "Suspension bridges need yearly checks"
    learning.save()
    assert not search(viewer=world["lead"], q="rope").learnings
    assert search(viewer=world["lead"], q="suspension").learnings


def test_a_rebuilt_sqlite_table_gets_its_triggers_and_index_back(world):
    """Django rebuilds an SQLite table to alter it, dropping its triggers: after `migrate`,
    `ensure_index` puts them back and refills the index."""
    from django.db import connection

    from search.index import ensure_index

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 index")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_proposal_fts_ai")
    missed = ProposalFactory(lead=world["lead"], round=world["round"], title="Glacier lake alarms")
    assert not search(viewer=world["lead"], q="glacier").proposals
    ensure_index()
    assert [h.obj.pk for h in search(viewer=world["lead"], q="glacier").proposals] == [missed.pk]
    ProposalFactory(lead=world["lead"], round=world["round"], title="Glacier melt gauges")
    assert len(search(viewer=world["lead"], q="glacier").proposals) == 2


def test_a_search_that_finds_nothing_says_so_once_and_a_long_query_is_not_echoed_whole(
        world, client):
    client.force_login(world["stranger"])
    page = client.get("/search/", {"q": "zzzqx yyyqx"}).content.decode()
    assert "Nothing you may see matches these words" in page
    assert "these hold some of them" not in page  # found by a new user: two lines disagreed
    long_word = "x" * 500
    page = client.get("/search/", {"q": long_word}).content.decode()
    heading = page.split('id="results-heading">', 1)[1].split("</h2>", 1)[0]
    assert long_word[:100] not in heading and len(heading) < 120
    assert "Only the first 200 characters were searched." in page
