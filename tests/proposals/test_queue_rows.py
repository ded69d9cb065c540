"""`{% queue_rows %}` (portal/templatetags/queue_rows.py) makes exactly the rows the screening
queue's template loop made (with `proposals/_action.html` per action, the likely-duplicates
badge and the screening note), for every kind of row, in both languages (issue 16)."""

import re

import pytest
from django.template import RequestContext, Template
from django.utils import translation

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.models import FUND_MANAGERS, User
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.factories import PanelFactory

pytestmark = pytest.mark.django_db


# The loop of proposals/queue.html before the tag, word for word.
LOOP = Template(
    "{% load i18n display screening similar %}"
    """{% for row in rows %}{% with proposal=row.proposal %}
    <tr>
      <th scope="row"><a href="{% url 'proposals:detail' proposal.pk %}">{{ proposal.title }}</a>{% likely_duplicates_badge proposal page.object_list %}</th>
      <td>{{ proposal.lead }}{% if proposal.lead.agency %} <span class="muted">({{ proposal.lead.agency.code }})</span>{% endif %}</td>
      <td>{% for agency in proposal.partner_agencies.all %}<abbr title="{{ agency.name }}">{{ agency.code }}</abbr>{% if not forloop.last %}, {% endif %}{% empty %}–{% endfor %}</td>
      <td>{{ proposal.round.title }}</td>
      <td class="num">{{ proposal.requested_amount|money:proposal.round.fund.currency }}</td>
      <td>{{ proposal.submitted_at|day }}</td>
      <td class="actions">
        {% for item in row.actions %}{% include "proposals/_action.html" %}{% empty %}<span class="muted">{% screening_note proposal %} <a href="{% url 'help_conflicts' %}">{% translate "About conflicts of interest" %}</a></span>{% endfor %}
      </td>
    </tr>
    {% endwith %}{% endfor %}""")  # noqa: E501
TAG = Template("{% load queue_rows %}{% queue_rows rows page next %}")
# Each render of a form makes its own one-time token (and a RequestContext its own CSRF mask).
RANDOM = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"')


def _plain(html: str) -> str:
    return RANDOM.sub(r'name="\1" value="X"', html)


def assert_rows_are_the_loops(client, path="/proposals/queue/", language="en-gb") -> str:
    """The queue at `path` for `client` (signed in): its rows made by the tag and by the loop,
    from the page's own context, the same HTML. Returns the page's HTML."""
    response = client.get(path)
    assert response.status_code == 200
    values = {name: response.context[name] for name in ("rows", "page", "next")}
    with translation.override(language):
        made = [_plain(template.render(RequestContext(response.wsgi_request, values)))
                for template in (TAG, LOOP)]
    assert made[0] == made[1]
    assert made[0].count("<tr>") == len(values["rows"])
    return response.content.decode()


@pytest.fixture
def queue_world():
    mof = AgencyFactory(code="MOF", name="Ministry <of> Finance & Co")
    manager = UserFactory(fund_manager=True, agency=mof)
    UserFactory(fund_manager=True)
    several, single, none = RoundFactory(), RoundFactory(), RoundFactory()
    PanelFactory(round=several, name="Panel <B>")
    PanelFactory(round=several, name="Panel A")
    PanelFactory(round=single)
    partners = [AgencyFactory(name='Zeta "Z"'), AgencyFactory(name="Alpha")]
    ProposalFactory(round=several, submitted=True, partners=partners,
                    title='Queues <script>&amp; "more"', lead=UserFactory(agency=None))
    ProposalFactory(round=single, submitted=True, partners=[], requested_amount=None,
                    budget=False)
    ProposalFactory(round=none, submitted=True, partners=[mof])  # conflicted: the note
    ProposalFactory(round=several, submitted=True, lead=UserFactory(agency=mof))
    on_team = ProposalFactory(round=single, submitted=True)
    TeamMemberFactory(proposal=on_team, user=manager)
    ProposalFactory.create_batch(3, round=several, submitted=True)
    ProposalFactory(round=several, in_review=True)  # not in the queue
    return {"manager": manager, "mof": mof, "several": several}


@pytest.mark.parametrize("language", ["en-gb", "dz"])
def test_the_rows_are_the_loops_rows(client, queue_world, language):
    manager = queue_world["manager"]
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = assert_rows_are_the_loops(client, language=language)
    assert page.count('name="panel"') == 4 and "&lt;script&gt;" in page
    assert "<textarea" in page  # an action that folds behind its button with a reason too
    assert_rows_are_the_loops(client, f"/proposals/queue/?round={queue_world['several'].pk}",
                              language=language)
    assert_rows_are_the_loops(client, f"/proposals/queue/?agency={queue_world['mof'].pk}",
                              language=language)


def test_every_other_manager_conflicted_and_a_second_page(client, queue_world):
    manager = queue_world["manager"]
    User.objects.filter(groups__name=FUND_MANAGERS).exclude(pk=manager.pk).update(
        agency=queue_world["mof"])
    ProposalFactory.create_batch(22, submitted=True)
    client.force_login(manager)
    page = assert_rows_are_the_loops(client)
    assert "every other fund manager has a conflict of interest with it too" in page
    assert_rows_are_the_loops(client, "/proposals/queue/?page=2")
