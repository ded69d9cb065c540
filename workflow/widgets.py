"""Form widgets of the list pages' filters (issue 16).

`QuickSelect` writes the HTML of Django's `Select` (the templates django/forms/widgets/
select.html, select_option.html and attrs.html, byte for byte: tests/workflow/
test_quick_select.py compares them) in Python. Django renders each option through two
included templates: the filters of the all-proposals page (41 rounds, 25 agencies, the states
and orders) took a third of the page's time (issue 16). Any case it does not know (a widget
given other templates, a label that is not text) is left to Django's templates.
"""

from django import forms
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_SELECT_TEMPLATES = (forms.Select.template_name, forms.Select.option_template_name)


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"` for each attribute, ` name` for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_formatted(value)}"')
    return "".join(out)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it is safe already."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


class QuickSelect(forms.Select):
    """Django's `Select`, the same HTML, written without rendering a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        if (self.template_name, self.option_template_name) != _SELECT_TEMPLATES:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                if not isinstance(group_name, str | Promise):
                    return super().render(name, value, attrs, renderer)
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                label = option["label"]
                if not isinstance(label, str | Promise) \
                        or option["template_name"] != self.option_template_name:
                    return super().render(name, value, attrs, renderer)
                out.append(f'\n  <option value="{_formatted(option["value"])}"'
                           f'{_attrs(option["attrs"])}>{conditional_escape(label)}</option>\n')
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))
