"""Factories for reviews: panels, assignments and reviews (see issue 3)."""
