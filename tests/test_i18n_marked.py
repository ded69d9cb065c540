"""Issue 18: the words people read are marked for translation.

Templates: no text outside `{% translate %}` / `{% blocktranslate %}` (markup, styles,
scripts, comments and `<code>` aside), and no plain-text `aria-label`, `title`, `alt` or
`placeholder`. Forms: every label, help text and error message is a lazy translation.
The plain messages every form and API field shows (workflow/plain_messages.py) are lazy
translations too. Notifications: every notice's title, body and note label is one.
A string added later without marking it fails here, with the file and the words.
"""

import ast
import fnmatch
import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.template.base import Lexer, TokenType
from django.utils.functional import Promise

TEMPLATES = Path(settings.BASE_DIR) / "templates"
MARKED = [
    "proposals", "reviews", "fund", "awards", "rewards", "data", "jobs", "account", "workflow",
    "charts", "documents", "admin", "drf_spectacular", "search", "registration",
    "_form_errors.html", "_pagination.html", "analytics/figure.html",
]
NOTIFICATION_TEMPLATES = Path(settings.BASE_DIR) / "notifications" / "templates"

LETTER = re.compile(r"[^\W\d_]")
# Markup is not words: tags (with their attributes), entities, and what is never shown.
HIDDEN = re.compile(r"<(style|script|code|pre)\b.*?</\1>", re.S | re.I)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|\w+);", re.I)
TAG = re.compile(r"<[!/]?[A-Za-z][^>]*>", re.S)
PLAIN_ATTRIBUTE = re.compile(r'\s(aria-label|title|alt|placeholder)="([^"{]*[^\W\d_][^"{]*)"')


def template_files():
    files = []
    for entry in MARKED:
        path = TEMPLATES / entry
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    files += sorted(p for p in NOTIFICATION_TEMPLATES.rglob("*.html"))
    return files


def unmarked_words(source: str) -> list[str]:
    """The text a template shows outside translation tags (template tags replaced by a
    placeholder, so that a tag inside an HTML tag or a style keeps it whole)."""
    shown, inside = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            if inside:
                if word == "end" + inside:
                    inside = None
                continue
            if word in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                inside = word
            shown.append("\x00")
        elif token.token_type == TokenType.TEXT and not inside:
            shown.append(token.contents)
        elif token.token_type == TokenType.VAR and not inside:
            shown.append("\x00")
    text = HIDDEN.sub(" ", "".join(shown))
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    problems = [f'{m.group(1)}="{m.group(2)}"' for m in PLAIN_ATTRIBUTE.finditer(text)]
    text = ENTITY.sub(" ", TAG.sub(" ", text))
    problems += [
        " ".join(piece.split()) for piece in text.split("\x00") if LETTER.search(piece)
    ]
    return problems


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.name))
def test_template_words_are_marked_for_translation(path):
    assert unmarked_words(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_unmarked_words():
    """The check above is not vacuous: plain words, a plain aria-label and a word beside a
    variable are found; markup, styles, comments and translated words are not."""
    found = unmarked_words(
        '{% load i18n %}<nav aria-label="Breadcrumb"><a href="{% url "x" %}">Home</a></nav>'
        "<style>body { color: red }</style>{# a note #}<p>{{ count }} rows</p>"
        '<p title="{% translate "Fine" %}">{% blocktranslate %}All {{ n }}{% endblocktranslate %}'
        "&nbsp;&rsaquo;</p>"
    )
    assert found == ['aria-label="Breadcrumb"', "Home", "rows"]


FORM_MODULES = [
    "proposals.forms", "reviews.forms", "fund.forms", "rewards.forms", "analytics.filters",
]


def project_form_modules():
    """Every project module that defines a form (the award, rubric and two-factor pages keep
    theirs beside the views), besides FORM_MODULES. Not the admin's forms: their labels are
    the model fields' names (the keyword check below covers the texts they set)."""
    root = Path(settings.BASE_DIR)
    found = set(FORM_MODULES)
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {"tests", "bench", "node_modules", "static", ".venv"} or (
                "migrations" in parts or not (root / parts[0] / "__init__.py").is_file()
                or path.name == "admin.py"):
            continue
        if re.search(r"^class \w+\(.*Form\b", path.read_text(encoding="utf-8"), re.M):
            found.add(".".join(path.relative_to(root).with_suffix("").parts))
    return sorted(found)


def form_classes():
    found = []
    for name in project_form_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, forms.BaseForm)
                    and value.__module__ == name and value.base_fields):
                found.append(value)
    return found


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_form_words_are_marked_for_translation(form_class):
    unmarked = []
    for name, field in form_class.base_fields.items():
        if name == "DELETE":
            continue
        if field.label is None and not field.widget.is_hidden and not (
                issubclass(form_class, AuthenticationForm) and name == "username"):
            # Django would make the label from the field's name, in English, in every
            # language (the proposals lists' "State" read so in Dzongkha: a walkthrough).
            # AuthenticationForm sets its username's from the user model's verbose name.
            unmarked.append(f"{name} label: none given, so the field's name in English")
        texts = {"label": field.label, "help_text": field.help_text or None}
        # the field's own messages and the shared ones (workflow/plain_messages.py) alike
        texts.update({f"error {key}": text for key, text in field.error_messages.items()})
        if getattr(field, "empty_label", None):
            texts["empty_label"] = field.empty_label
        choices = [] if isinstance(field, forms.ModelChoiceField) else field.__dict__.get(
            "_choices", [])
        for value, label in choices:
            if value == "":
                texts["choice ''"] = label
        for what, text in texts.items():
            if text is not None and LETTER.search(str(text)) and not isinstance(text, Promise):
                unmarked.append(f"{name} {what}: {text}")
    assert unmarked == []


def test_notices_are_marked_for_translation():
    from notifications import notices

    every = [n for rows in notices.TRANSITION_NOTICES.values() for n in rows]
    every += [n for rows in notices.EVENT_NOTICES.values() for n in rows]
    every += list(notices.REMINDER_NOTICES.values())
    unmarked = [
        text for notice in every for text in (notice.title, notice.body, notice.note_label)
        if text and not isinstance(text, Promise)
    ]
    assert every and unmarked == []


def test_plain_messages_are_marked_for_translation():
    from workflow import plain_messages

    messages = [m for table in (plain_messages.FORM_FIELDS, plain_messages.MODEL_FIELDS)
                for by_code in table.values() for m in by_code.values()]
    messages += list(plain_messages.FORMSETS.values())
    messages += [m for _, m in plain_messages.VALIDATORS]
    messages += [m for by_code in plain_messages._api_fields().values() for m in by_code.values()]
    messages += [m for _, by_name in plain_messages._api_validators() for m in by_name.values()]
    assert messages and [m for m in messages if not isinstance(m, Promise)] == []


# --- Python: the messages pages and the API show ------------------------------------------------
# Flash messages, refusals (403/404 texts) and API error texts are written in Python: each must be
# a translation (`_("…")`, `gettext(…)`, or a name bound to a lazy one), never a plain or f-string.
ROOT = Path(settings.BASE_DIR)
# Every module of the project's packages (not only views and APIs: the chair, rubric, award and
# two-factor pages, the services and selectors raise and flash messages too).
PACKAGES = sorted(p.parent for p in ROOT.glob("*/__init__.py")
                  if p.parent.name not in {"tests", "bench", "node_modules", "static"})
PYTHON_MESSAGE_FILES = sorted(
    path for package in PACKAGES for path in package.rglob("*.py")
    if "migrations" not in path.relative_to(ROOT).parts)
SHOWN_BY = {"PermissionDenied", "Http404", "NotFound", "DRFPermissionDenied", "ValidationError"}
FLASH = {"success", "info", "warning", "error"}


def _plain_text(node) -> bool:
    """A literal with words in it (or an f-string, or a sum or % of one): shown as written."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(LETTER.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_plain_text(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return any(_plain_text(v) for v in node.values)
    return False


def unmarked_messages(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in SHOWN_BY:
            shown = node.args[:1]
        elif (name in FLASH and isinstance(func, ast.Attribute)
              and getattr(func.value, "id", "") == "messages"):
            shown = node.args[1:2]
        elif (name in ("action", "display") and isinstance(func, ast.Attribute)
              and getattr(func.value, "id", "") == "admin"):
            # the admin's action menu and column headings
            shown = [k.value for k in node.keywords if k.arg == "description"]
        else:
            continue
        found += [f"line {node.lineno}: {ast.unparse(a)[:70]}" for a in shown if _plain_text(a)]
    return found


@pytest.mark.parametrize("path", PYTHON_MESSAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_messages_are_marked_for_translation(path):
    assert unmarked_messages(path.read_text(encoding="utf-8")) == []


def test_the_python_check_finds_unmarked_messages():
    found = unmarked_messages(
        'messages.success(request, f"Saved {x}.")\nraise Http404("No such fund.")\n'
        'raise ValidationError({"kind": ["Choose one."]})\n'
        'messages.info(request, _("Fine."))\nraise PermissionDenied(_("Fine %(x)s.") % {"x": 1})\n'
        "raise NotFound()\nraise PermissionDenied(REFUSED)\n"
        'admin.display(description="History")\nadmin.action(description=_("Fine"))\n')
    assert [f.split(":")[0] for f in found] == ["line 1", "line 2", "line 3", "line 8"]


# --- Keyword texts: labels, help texts, names and chart descriptions --------------------------
# `label=`, `help_text=`, `verbose_name=`, `verbose_name_plural=`, `empty_label=` and
# `description=` are read on pages, in the admin and (a chart's description) by screen readers:
# in every module, a text with words is a translation, never a plain or f-string.
KEYWORD_TEXTS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label",
                 "description"}
# Developer documentation and data stay English: the API's schema (serializers, filters and
# OpenAPI parameters in the API modules), test factories and the demo data seed_demo writes.
KEYWORD_TEXTS_NOT_SHOWN = ("*api.py", "api_common/*", "*/api/*", "*/factories.py",
                           "portal/management/commands/seed_demo.py")


def keyword_text_files():
    return [path for path in PYTHON_MESSAGE_FILES
            if not any(fnmatch.fnmatch(str(path.relative_to(ROOT)), pattern)
                       for pattern in KEYWORD_TEXTS_NOT_SHOWN)]


# A chart's title, summary and the label of its rest are shown beside it and read with it.
CHART_CALLS = {"bar_chart", "stacked_bar", "progress_bar"}
CHART_TEXTS = {"title", "summary", "rest_label"}


def unmarked_keyword_texts(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        shown = KEYWORD_TEXTS | (CHART_TEXTS if name in CHART_CALLS else set())
        found += [f"line {node.lineno}: {k.arg}={ast.unparse(k.value)[:70]}"
                  for k in node.keywords if k.arg in shown and (
                      _plain_text(k.value) or (isinstance(k.value, ast.IfExp) and (
                          _plain_text(k.value.body) or _plain_text(k.value.orelse))))]
    return found


@pytest.mark.parametrize("path", keyword_text_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_keyword_texts_are_marked_for_translation(path):
    assert unmarked_keyword_texts(path.read_text(encoding="utf-8")) == []


def test_the_keyword_check_finds_unmarked_texts():
    found = unmarked_keyword_texts(
        'forms.CharField(label="Name", help_text=_("Fine."))\n'
        'models.TextField(help_text="What the experiment will test.")\n'
        'Chart(description=f"One bar of {total}.")\n'
        'Row(label="Reviewer %s" % number)\n'
        'Row(label=gettext("Reviewer %(number)s") % {"number": n}, description=text)\n'
        'forms.ModelChoiceField(empty_label="—", verbose_name="", label="Amount " + unit)\n'
        'bar_chart(title=f"Mean scores of {r}", summary=_("Fine."), rows=rows)\n'
        'progress_bar(rest_label=_("Fine") if done else "Still to release")\n'
        'Proposal(title="Not a chart")\n')
    assert [f.split(" ", 2)[2].split("=")[0] for f in found] == [
        "label", "help_text", "description", "label", "label", "title", "rest_label"]
    files = [str(p.relative_to(ROOT)) for p in keyword_text_files()]
    assert "fund/award_views.py" in files and "reviews/services/summary.py" in files
    assert not {"fund/api.py", "fund/award_api.py", "api_common/permissions.py",
                "proposals/factories.py", "portal/management/commands/seed_demo.py"} & set(files)


def test_lazy_messages_that_views_keep_in_tables_are_marked():
    from fund.views import ROUND_DONE
    from jobs.api import NO_LONGER
    from jobs.api import SIGHT_CHANGED as API_SIGHT_CHANGED
    from jobs.views import SIGHT_CHANGED
    from proposals.permissions import HR_OFFICERS_DO_NOT_DRAFT
    from proposals.views import (
        CHANGED_ELSEWHERE,
        KEPT_MESSAGE,
        NOT_KEPT_MESSAGE,
        SECTIONS,
        SIGNED_OUT_MESSAGE,
        TRANSITION_DONE,
    )
    from reviews.views import DECISION_DONE, PLAN_PAIR_UNKNOWN
    from rewards.views import AUTHOR_DONE, TRANSITION_LABELS
    from rewards.views import TRANSITION_DONE as NOMINATION_DONE

    every = [*ROUND_DONE.values(), *TRANSITION_DONE.values(), *DECISION_DONE.values(),
             *AUTHOR_DONE.values(), *TRANSITION_LABELS.values(), *NOMINATION_DONE.values(),
             *(heading for _key, heading, _names in SECTIONS), NO_LONGER, API_SIGHT_CHANGED,
             SIGHT_CHANGED, HR_OFFICERS_DO_NOT_DRAFT, CHANGED_ELSEWHERE, KEPT_MESSAGE,
             NOT_KEPT_MESSAGE, SIGNED_OUT_MESSAGE, PLAN_PAIR_UNKNOWN]
    assert [m for m in every if not isinstance(m, Promise)] == []


def test_api_messages_kept_in_constants_are_marked():
    from analytics.api import IsFundManager
    from api_common import not_found, pagination, permissions
    from reviews.chairs import MONEY_STEPS

    every = [not_found.MESSAGE, pagination.BAD_PAGE_SIZE, pagination.BAD_CURSOR,
             pagination.ApiPagination.invalid_page_message, IsFundManager.message,
             *(value.message for value in vars(permissions).values()
               if isinstance(value, type) and "message" in vars(value)),
             *MONEY_STEPS.values()]
    assert [m for m in every if not isinstance(m, Promise)] == []


def test_analytics_figures_words_are_marked_for_translation():
    from analytics import figures

    every = [*figures.FIGURES.values(), *figures.MONEY_MEASURES.values(),
             *figures.REVIEWING_MEASURES.values(), *figures.RESULT_LABELS.values(),
             *(label for _key, label in figures.FUNNEL_COLUMNS),
             *(label for _key, label in figures.TIMES)]
    assert every and [m for m in every if not isinstance(m, Promise)] == []


def test_import_and_invitation_summaries_are_translated(monkeypatch):
    """The summaries the import pages flash go through the catalogue, sentence by sentence,
    and still read as before in English."""
    from datafiles import tables
    from people import services

    report = tables.ImportReport(kind="agencies", dry_run=True, rows=3, new=2, unchanged=1)
    assert report.summary() == "Dry run of 3 rows, nothing saved: 2 new, 0 updated, 1 unchanged."
    invitations = services.Invitations()
    assert invitations.summary() == "Sent 0 invitations."

    def translated(message, *args):
        return "«" + (message if not args or args[-1] == 1 else args[0]) + "»"

    monkeypatch.setattr(tables, "gettext", translated)
    monkeypatch.setattr(services, "ngettext", translated)
    assert report.summary() == "«Dry run of 3 rows, nothing saved: «2 new, 0 updated, 1 unchanged».»"
    assert invitations.summary() == "«Sent 0 invitations.»"


def test_a_cached_figure_is_kept_per_language():
    """A figure's notes and charts are written when it is built: one built for a Dzongkha page
    is never served to an English one (the titles and headings, lazy, follow the page)."""
    from django.utils import translation

    from analytics.figures import _cache_key

    with translation.override("en-gb"):
        english = _cache_key("funnel", viewer=None, chosen={}, public=True)
    with translation.override("dz"):
        dzongkha = _cache_key("funnel", viewer=None, chosen={}, public=True)
    assert english != dzongkha


# --- Files in and out, and stalls: row errors, refusals and what a stall needs ------------------
# Import refusals (`_refuse`), a row's problems (`problems[field] = …`, `RowError(row, field, …)`),
# command errors, a stall's needs and the chair pages' refusals and messages are all read by
# people: each is a translation, never a plain or f-string.
SENTENCE_FILES = sorted(
    {*ROOT.glob("datafiles/*.py"), *ROOT.glob("*/imports.py"), ROOT / "reviews" / "chairs.py",
     *ROOT.glob("reviews/chair_*.py"), ROOT / "reviews" / "services" / "assignments.py",
     ROOT / "jobs" / "kinds.py"})
SENTENCE_CALLS = {"_refuse": 0, "CommandError": 0, "RowError": 2, "check_length": 4}


def _sentence(node) -> bool:
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    if isinstance(node, ast.BinOp):
        return _sentence(node.left)
    if isinstance(node, ast.IfExp):
        return _sentence(node.body) or _sentence(node.orelse)
    return any(isinstance(p, ast.Constant) and isinstance(p.value, str) and " " in p.value
               and LETTER.search(p.value) for p in parts)


def unmarked_sentences(source: str) -> list[str]:
    found = unmarked_messages(source)
    for node in ast.walk(ast.parse(source)):
        shown = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SENTENCE_CALLS:
                shown = node.args[SENTENCE_CALLS[name]:SENTENCE_CALLS[name] + 1]
            elif name == "append" and getattr(func.value, "attr", "") in ("needs", "details"):
                shown = node.args[:1]
            elif name == "Stall":
                shown = [k.value for k in node.keywords if k.arg == "needs"]
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Subscript) and getattr(t.value, "id", "") == "problems"
                   for t in node.targets):
                shown = [node.value]
        elif isinstance(node, ast.Return) and node.value is not None:
            # a returned sentence (words and a space), not a returned name or path
            shown = [node.value] if _sentence(node.value) else []
        found += [f"line {node.lineno}: {ast.unparse(a)[:70]}" for a in shown if _plain_text(a)
                  or (isinstance(a, ast.IfExp) and (_plain_text(a.body) or _plain_text(a.orelse)))]
    return sorted(found, key=lambda f: int(f.split(":")[0].split()[1]))


@pytest.mark.parametrize("path", SENTENCE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_import_and_stall_sentences_are_marked_for_translation(path):
    assert unmarked_sentences(path.read_text(encoding="utf-8")) == []


def test_the_sentence_check_finds_unmarked_sentences():
    found = unmarked_sentences(
        'problems["code"] = "The agency code is missing."\n'
        '_refuse(f"“{name}” is empty.")\n'
        'RowError(2, "key", f"“{key}” appears again.")\n'
        'stall.needs.append("Choose the panel that reviews it.")\n'
        'def f():\n    return f"The panel\'s {duty} acts."\n'
        'x = "a" if y else "The fund is missing."\n'
        'problems["fund"] = _("No fund.") if slug else "The fund is missing."\n'
        'problems["name"] = gettext("The agency name is missing.")\n'
        'RowError(2, "key", gettext("“%(key)s” appears again.") % {"key": k})\n')
    assert [f.split(":")[0] for f in found] == [
        "line 1", "line 2", "line 3", "line 4", "line 6", "line 8"]


def test_import_and_export_labels_and_form_words_are_marked():
    from datafiles import exports, kinds, steps
    from reviews.chairs import ACTS_ON_IT

    every = [label for label, _path in kinds.IMPORTS.values()]
    every += [label for label, _path, _options in exports.EXPORTS.values()]
    every += [text for _l, _p, options in exports.EXPORTS.values() for text in options.values()]
    every += [*ACTS_ON_IT.values(), steps.NOTHING_WAITING]
    for form in (steps.ImportFileForm, steps.ImportForm):
        every += [text for f in form.base_fields.values() for text in (f.label, f.help_text)
                  if text]
    assert every and [m for m in every if not isinstance(m, Promise)] == []


def test_the_names_the_admin_gives_the_apps_are_marked():
    """An app named in the admin's index (its `verbose_name`) is named in the page language."""
    from django.apps import apps

    named = [config for config in apps.get_app_configs()
             if (ROOT / config.name.split(".")[0] / "apps.py").is_file()
             and "verbose_name" in vars(type(config))]
    assert named and [c.label for c in named if not isinstance(c.verbose_name, Promise)] == []


def test_the_too_long_message_is_translated(monkeypatch):
    """`text_too_long` reads as before in English (numbers grouped) and goes through the
    catalogue with its placeholders, not as an English f-string."""
    from workflow import bounds

    assert bounds.text_too_long("x" * 1201, "The note", 1000) == (
        "The note is 1,201 characters long; keep it within 1,000 characters.")
    monkeypatch.setattr(bounds, "gettext", lambda message: "«" + message + "»")
    assert bounds.text_too_long("x" * 1201, "The note", 1000) == (
        "«The note is 1,201 characters long; keep it within 1,000 characters.»")
    assert bounds.text_too_long("x" * 10, "The note", 1000) is None


def test_the_charts_words_go_through_the_catalogue(monkeypatch):
    """The fund, award and ranking charts read as before in English, and every word of them
    (title, text alternative, summary, bars) is looked up in the catalogue."""
    from decimal import Decimal
    from types import SimpleNamespace

    from fund import money_charts
    from fund.models import Award
    from reviews import ranking_chart

    fund = SimpleNamespace(name="F", currency="BTN", contributed_sum=Decimal(900),
                           committed_sum=Decimal(500), returned_sum=Decimal(0),
                           available_balance=Decimal(400))
    award = SimpleNamespace(amount=Decimal(200), state=Award.State.ACTIVE,
                            proposal=SimpleNamespace(title="P"))
    round_ = SimpleNamespace(title="R", budget=Decimal(100), fund=SimpleNamespace(currency="BTN"))
    ranked = [{"rank": 1, "proposal": SimpleNamespace(title="P"), "contending": True,
               "cumulative_requested": Decimal(60), "requested_amount": Decimal(60),
               "mean_weighted_score": Decimal("71.5"), "above_funding_line": True}]

    def charts():
        return [money_charts.money_chart(fund=fund, released=Decimal(50)),
                money_charts.award_release_chart(award=award, released=Decimal(50),
                                                 returned=Decimal(0), currency="BTN"),
                ranking_chart.ranking_chart(round_=round_, ranked=ranked, totals_shown=True),
                ranking_chart.ranking_chart(round_=round_, ranked=ranked, totals_shown=False)]

    def words(chart):
        return [chart.title, chart.description, chart.summary,
                *(shape.label for shape in chart.shapes)]

    english = [words(chart) for chart in charts()]
    assert english[1][:3] == ["Release of the award for P", "BTN 50.00 of BTN 200.00 released (25%).",
                              "25% of the award of BTN 200.00 released."]
    assert english[2][3] == "1. P: asks BTN 60.00, mean score 71.5; within the budget"
    assert english[3][3] == "1. P: mean score 71.5 of 100"

    def marked(message):
        return "«" + message + "»"

    monkeypatch.setattr(money_charts, "gettext", marked)
    monkeypatch.setattr(ranking_chart, "gettext", marked)
    unmarked = [text for chart in charts() for text in words(chart)
                if text and not str(text).startswith("«")]
    assert unmarked == []
