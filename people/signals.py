"""What people/ announces to the floors above it, which it may not import.

`agency_changed` is sent when people's agencies change (HR import, admin, API, services),
inside the transaction that changed them, so conflicts of interest are recomputed at once.
Arguments: `people` (a list of user ids), `actor` (a User or None for the product itself).
"""

from django.dispatch import Signal

agency_changed = Signal()
