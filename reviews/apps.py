from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The panel's decisions on proposals run by name from the proposal pages and API.
        from proposals.services import PROPOSAL_TRANSITIONS

        from .services import PANEL_PROPOSAL_TRANSITIONS

        PROPOSAL_TRANSITIONS.update(PANEL_PROPOSAL_TRANSITIONS)
