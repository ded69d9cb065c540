from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityLogConfig(AppConfig):
    name = "securitylog"
    verbose_name = _("Security log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers

        receivers.connect()
