"""`{% queue_rows rows page next %}`: the screening queue's table rows, made in one pass
(proposals/queue.html; here on the top floor because a row shows the likely duplicates `search`
finds, which proposals may not import).

The same HTML the template's loop made (proposals/queue.html before issue 16's last pass: a row
per proposal, its lead, partners, round, amount and date through the `display` formats, and
its actions as `proposals/_action.html` writes them, or the screening note), without a
template node per cell: at 20 rows with two or three actions each, the loop and its includes
were most of the page's time at 100k proposals. Every value is escaped and localised as
`{{ value }}` does (`render_value_in_context`); the likely-duplicates badge is its own tag's
template; an action the queue does not usually show (one that failed, with its errors, or
blocked) is `_action.html` itself. Tested against the loop it replaces, in both languages
(tests/proposals/test_queue_rows.py)."""

from django import template
from django.template.base import render_value_in_context
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from proposals.templatetags.screening import screening_note
from search.templatetags.similar import likely_duplicates_badge
from workflow.display import day, money
from workflow.templatetags.one_effect import form_token

register = template.Library()

ACTION_TEMPLATE = "proposals/_action.html"
BADGE_TEMPLATE = "search/_duplicates.html"
# An id no row has, reversed in a link once and replaced by each row's own id.
PLACEHOLDER = 918273645546372819


def _usual(item: dict) -> bool:
    """An action as the queue shows it: not blocked, not open after a failure, no errors."""
    return not (item.get("blocked") or item.get("open") or item.get("errors")
                or item.get("panel_errors") or item.get("value"))


def _folded_form(style: str, label: str, url: str, tokens: str, field: str) -> str:
    """An action whose form folds behind its button (a panel to choose, a reason to give):
    exactly proposals/_action.html's `<details>`, around `field` (escaped by the caller)."""
    return (f'\n<details class="action">\n'
            f'  <summary class="button button-{style}">{label}</summary>\n'
            f'  <form method="post" action="{url}" class="action-form transition-form">\n'
            f'    {tokens}\n'
            f'    <div class="field form-row">\n'
            f'{field}'
            f'    </div>\n'
            f'    <button type="submit" class="button button-{style}">{label}</button>\n'
            f'  </form>\n'
            f'</details>\n\n')


@register.simple_tag(takes_context=True)
def queue_rows(context, rows, page, next_url) -> str:
    """Each row of `rows` ({"proposal", "actions"}) as the queue's loop wrote it."""
    def text(value) -> str:
        if type(value) is str or type(value) is SafeString:  # as `{{ value }}` writes a text
            return conditional_escape(value) if context.autoescape else value
        return render_value_in_context(value, context)

    engine = context.template.engine
    csrf = CsrfTokenNode().render(context)
    next_input = (f'<input type="hidden" name="next" value="{text(next_url)}">'
                  if next_url else "")
    labels: dict[str, tuple] = {}
    panel_words = (text(gettext("Which panel reviews it?")), text(gettext("Choose a panel")))
    about = text(gettext("About conflicts of interest"))
    help_url = conditional_escape(reverse("help_conflicts"))
    empty_badge = None
    # The rows' links: reversed once with a placeholder id, which each row's id replaces.
    detail_url = conditional_escape(reverse("proposals:detail", args=[PLACEHOLDER]))
    transition_urls: dict[str, str] = {}
    options_of: dict[tuple, str] = {}
    out = []
    for row in rows:
        proposal = row["proposal"]
        pk = proposal.pk
        found = likely_duplicates_badge(context, proposal, page.object_list)
        if found["duplicates"] or empty_badge is None:
            badge = engine.get_template(BADGE_TEMPLATE).render(context.new(found))
            if not found["duplicates"]:
                empty_badge = badge
        else:
            badge = empty_badge
        lead = proposal.lead
        agency = lead.agency
        lead_cell = text(lead) + (f' <span class="muted">({text(agency.code)})</span>'
                                  if agency else "")
        partners = ", ".join(f'<abbr title="{text(a.name)}">{text(a.code)}</abbr>'
                             for a in proposal.partner_agencies.all()) or "–"
        round_ = proposal.round
        actions = []
        for item in row["actions"]:
            if not _usual(item):
                with context.push(proposal=proposal, item=item):
                    actions.append(engine.get_template(ACTION_TEMPLATE).render(context))
                continue
            action, name = item["action"], item["name"]
            if name not in labels:
                labels[name] = (text(action.label), text(action.style),
                                text(action.field_label), text(action.field))
            label, style, field_label, field = labels[name]
            if name not in transition_urls:
                transition_urls[name] = conditional_escape(
                    reverse("proposals:transition", args=[PLACEHOLDER, name]))
            url = transition_urls[name].replace(str(PLACEHOLDER), str(pk))
            tokens = f"{csrf}{form_token()}{next_input}"
            input_id = text(item["input_id"])
            if item.get("panels"):
                key = tuple((panel.pk, panel.name) for panel in item["panels"])
                if key not in options_of:
                    options_of[key] = "".join(
                        f'<option value="{text(panel_pk)}">{text(panel_name)}</option>'
                        for panel_pk, panel_name in key)
                options = options_of[key]
                actions.append(_folded_form(
                    style, label, url, tokens,
                    f'      <label for="{input_id}_panel">{panel_words[0]}</label>\n'
                    f'      \n'
                    f'      <select id="{input_id}_panel" name="panel" required>\n'
                    f'        <option value="">{panel_words[1]}</option>\n'
                    f'        {options}\n'
                    f'      </select>\n'))
            elif action.field:
                required = " required" if action.required else ""
                actions.append(_folded_form(
                    style, label, url, tokens,
                    f'      <label for="{input_id}">{field_label}</label>\n'
                    f'      \n'
                    f'      <textarea id="{input_id}" name="{field}" rows="3"{required}>'
                    f'</textarea>\n'))
            else:
                actions.append(
                    f'\n<form method="post" action="{url}" class="action">\n'
                    f'  {tokens}\n'
                    f'  <button type="submit" class="button button-{style}">{label}</button>\n'
                    f'</form>\n\n')
        if not actions:
            note = conditional_escape(screening_note(context, proposal))
            actions.append(f'<span class="muted">{note} <a href="{help_url}">{about}</a></span>')
        out.append(
            f'\n    <tr>\n'
            f'      <th scope="row"><a href="{detail_url.replace(str(PLACEHOLDER), str(pk))}">'
            f'{text(proposal.title)}</a>{badge}</th>\n'
            f'      <td>{lead_cell}</td>\n'
            f'      <td>{partners}</td>\n'
            f"      <td>{text(round_.title)}</td>\n"
            f'      <td class="num">{text(money(proposal.requested_amount, round_.fund.currency))}'
            f'</td>\n'
            f'      <td>{text(day(proposal.submitted_at))}</td>\n'
            f'      <td class="actions">\n'
            f'        {"".join(actions)}\n'
            f'      </td>\n'
            f'    </tr>\n'
            f'    ')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
