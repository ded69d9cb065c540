"""Awards and tranches: money leaves the fund only here, never overdrawing it (issue 4)."""
