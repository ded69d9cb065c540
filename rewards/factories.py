"""Factories for rewards (see issue 5)."""
