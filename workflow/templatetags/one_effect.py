"""`{% form_token %}`: the one-time token of a state-changing form (workflow/one_effect.py).

A builtin (settings.TEMPLATES OPTIONS "builtins"): put it right after `{% csrf_token %}`.
Each render is a fresh random value; nothing is stored until the form is sent.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def form_token():
    from workflow.one_effect import FIELD, new_token  # models load once the apps are ready

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
