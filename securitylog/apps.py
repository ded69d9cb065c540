from django.apps import AppConfig


class SecurityLogConfig(AppConfig):
    name = "securitylog"
    verbose_name = "Security log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers

        receivers.connect()
