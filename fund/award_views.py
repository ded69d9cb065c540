"""Pages for awards, tranches and outcome reports (issue 4)."""
