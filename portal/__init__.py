"""The top floor: what composes every app for people — the home page by role and the public
landing page, navigation by role, and the demo data (`manage.py seed_demo`). Nothing below
imports it (docs/architecture.md)."""
