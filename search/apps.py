from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_index(sender, using="default", **kwargs):
    from .index import ensure_index

    ensure_index(using=using)


class SearchConfig(AppConfig):
    """Full-text search over proposals and learnings, and similar earlier work (issue 17)."""

    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="search:ensure_index")
