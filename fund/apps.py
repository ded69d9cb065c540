from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    default_auto_field = "django.db.models.BigAutoField"
