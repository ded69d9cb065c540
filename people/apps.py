from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the one-identity check)
            language,  # noqa: F401  (keeps a visitor's language at sign-in)
            sessions,  # noqa: F401  (starts a privileged session's clock at sign-in)
            throttling,  # noqa: F401  (a complete sign-in clears the account's failures)
            tokens,  # noqa: F401  (revokes API tokens on a password change, deactivation)
            two_factor,  # noqa: F401  (notes at sign-in whether the person has 2FA on)
        )
