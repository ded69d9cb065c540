"""What every email of the fund must be, whoever sends it: the notifications
(notifications/services.py) and the password invitations (people/invitations.py).

`email_subject`: a subject fit for an email header. A proposal title typed with a line break
made every email about that proposal fail ("Header values can't contain newlines"), so the
subject is made one line in this one place.
"""

import re

_NOT_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def email_subject(text: str) -> str:
    """A subject fit for an email header: newlines and control characters never reach it
    (a title typed with a line break would make every email about it fail); each run of
    them and of other white space becomes one space."""
    return _NOT_ONE_LINE.sub(" ", text or "").strip()
