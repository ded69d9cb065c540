from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Home pages and demo")

    def ready(self):
        from django.db.models.signals import post_save

        from workflow.models import TransitionLog

        from .home import forget_kept_sections

        post_save.connect(forget_kept_sections, sender=TransitionLog,
                          dispatch_uid="portal.forget_kept_sections")
