"""Text typed by people inside the PDFs' CSS (the running footer's `content: "…"`).

A `<style>` element is raw text: an HTML entity there is never decoded, so a round titled
`Clinic "queues" & beds` would print `&quot;` and `&amp;` in the footer. `css_string` takes
what the block rendered (HTML-escaped by the template), undoes the HTML escaping and writes
the text as the inside of a double-quoted CSS string: `"`, `\\`, `<` (no `</style>`) and line
breaks as CSS escapes, every other character (Dzongkha included) as typed.
"""

import html
import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A double quote, a backslash, a "<" or ">", and every control character (a line break ends
# a CSS string).
_CSS_STRING_UNSAFE = re.compile(r'["\\<>\x00-\x1f\x7f]')


def css_string_text(text: str) -> str:
    """`text` as the inside of a double-quoted CSS string (escapes: `\\22 `, `\\5c `, …)."""
    return _CSS_STRING_UNSAFE.sub(
        lambda m: "\ufffd" if m.group() == "\x00" else f"\\{ord(m.group()):x} ", text)


@register.filter(is_safe=False)
def css_string(rendered) -> SafeString:
    """What a template rendered (HTML-escaped), as the inside of a double-quoted CSS string."""
    return mark_safe(css_string_text(html.unescape(str(rendered))))  # noqa: S308 (escaped)
