"""Finding a colleague by name and agency, for every person picker of the proposal pages.

A picker's value is what people read: "Karma Dorji (MOH)", the person's name and their
agency's code. It also accepts a username or an employee ID (what the form took before), and
a part of a name, which is searched: one match is that person, several are offered as
choices in the message. The search shows nothing but names and agencies, of active people
only, a few at a time (`SEARCH_LIMIT`).
"""

from __future__ import annotations

import re

from django.db.models import Q

from people.models import FUND_MANAGERS, HR_OFFICERS, User

SEARCH_LIMIT = 10
QUERY_MAX = 100
MIN_QUERY = 2
_LABELLED = re.compile(r"^(?P<name>.+?)\s*\((?P<code>[^()]+)\)$")
# Words of a typed name: Dzongkha writes a name without spaces, its syllables separated by
# the tsheg ་ (U+0F0B, or the non-breaking ༌ U+0F0C) and ended by a shad ། (U+0F0D-U+0F11):
# "པདྨ་དབང་མོ" is searched as its syllables, as "Pema Wangmo" is as its words.
_NAME_SEPARATORS = re.compile(r"[\s\u0f0b-\u0f11\u0f14]+")


def name_words(query: str) -> list[str]:
    return [w for w in _NAME_SEPARATORS.split(query) if w]


def person_label(user: User) -> str:
    """"Karma Dorji (MOH)": what a picker shows and takes back."""
    name = user.get_full_name() or user.username
    return f"{name} ({user.agency.code})" if user.agency_id else name


def _active():
    return User.objects.filter(is_active=True).select_related("agency")


def _may_join_teams(people):
    """Only those who may be team members (`permissions.why_not_team_member`, as a query):
    people of an agency, not HR officers (unless also fund managers)."""
    hr_only = User.objects.filter(groups__name=HR_OFFICERS).exclude(groups__name=FUND_MANAGERS)
    return people.filter(agency__isnull=False).exclude(pk__in=hr_only.values("pk"))


def _by_name(words: list[str]):
    people = _active()
    for word in words:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return people


def search_people(query: str, *, limit: int = SEARCH_LIMIT, team_only: bool = False) -> list[User]:
    """Active people whose name (first or last, every word typed) or agency matches `query`,
    by name; at most `limit`; with `team_only`, only those who may join a team."""
    query = (query or "").strip()[:QUERY_MAX]
    words = name_words(query)
    if len(query) < MIN_QUERY or not words:
        return []
    people = _may_join_teams(_active()) if team_only else _active()
    for word in words[:5]:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
            | Q(agency__code__iexact=word) | Q(agency__name__icontains=word)
        )
    return list(people.order_by("first_name", "last_name", "pk")[:limit])


def search_results(query: str) -> list[dict]:
    """The search as the page's script reads it: name and agency, nothing else."""
    return [
        {
            "label": person_label(person),
            "name": person.get_full_name() or person.username,
            "agency": person.agency.name if person.agency_id else "",
        }
        for person in search_people(query, team_only=True)
    ]


class Unresolved(Exception):
    """The typed text names nobody, or several people (`choices`)."""

    def __init__(self, message: str, choices: list[User] | None = None):
        super().__init__(message)
        self.choices = choices or []


def resolve_person(typed: str) -> User:
    """The one active person `typed` names (a label, a username, an employee ID or part of a
    name), or Unresolved with a message in the fund's words."""
    key = (typed or "").strip()[:QUERY_MAX]
    if not key:
        raise Unresolved("Say who this is: start typing their name.")
    exact = _active().filter(Q(username__iexact=key) | Q(employee_id=key)).first()
    if exact is not None:
        return exact
    labelled = _LABELLED.match(key)
    if labelled:
        found = [
            p for p in _by_name(labelled["name"].split())[:20]
            if p.agency_id and p.agency.code.lower() == labelled["code"].strip().lower()
            and (p.get_full_name() or p.username).lower() == labelled["name"].strip().lower()
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Unresolved(
                f"Several people are called {labelled['name'].strip()} at "
                f"{labelled['code'].strip()}: give the employee ID of the one you mean."
            )
    choices = search_people(labelled["name"] if labelled else key, limit=6)
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise Unresolved(f"Nobody active is known as “{key}”. Check the spelling, or give "
                         "their employee ID.")
    listed = "; ".join(person_label(p) for p in choices[:5])
    more = " and others: type more of the name" if len(choices) > 5 else ""
    raise Unresolved(
        f"Several people match “{key}”: {listed}{more}. Type the one you mean as shown.",
        choices,
    )
