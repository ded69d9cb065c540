from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_index(sender, using="default", **kwargs):
    from .index import ensure_index

    ensure_index(using=using)


_registered: list = []


class SearchConfig(AppConfig):
    """Full-text search over proposals and learnings, and similar earlier work (issue 17)."""

    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="search:ensure_index")
        from workflow.services import on_transition

        from .submitted import on_transition_refresh

        # A submitted proposal's similar work is found once, after the commit (services.py).
        if on_transition_refresh not in _registered:
            on_transition(on_transition_refresh)
            _registered.append(on_transition_refresh)
