"""What fund/ announces to the floors beside and above it, which it may not import.

`round_created` is sent when a new round is saved (by `fund.services.round_create`, so by the
round pages, the API and the demo; and by `fund.factories.RoundFactory`), inside the
transaction that created it. Arguments: `round` (the new `fund.Round`), `actor` (a User, or
None). reviews/ listens and gives the round its default rubric (`reviews.services.rubric`):
money does not need to know what a rubric is.
"""

from django.dispatch import Signal

round_created = Signal()  # kwargs: round, actor
