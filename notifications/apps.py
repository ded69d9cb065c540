from django.apps import AppConfig, apps
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _announce_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .dispatch import announce

        announce(instance=instance, event="created")


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from workflow.services import on_transition

        from .dispatch import on_transition_enqueue
        from .inbox import on_transition_settle
        from .notices import EVENT_NOTICES
        from .unread import connect

        # The cached unread count is renewed by every write that changes it (unread.py).
        connect()

        on_transition(on_transition_enqueue)
        # A transition may finish what notifications asked ("to endorse"): they leave the
        # unread count (inbox.py).
        on_transition(on_transition_settle)
        # Objects that come into being without a transition (an assignment, a nomination):
        # a post_save hook only enqueues; who is told what stays in the notice table.
        for label, event in EVENT_NOTICES:
            if event != "created":
                continue
            try:
                model = apps.get_model(label)
            except LookupError:  # a model of a later issue: its row waits for it
                continue
            post_save.connect(_announce_created, sender=model, dispatch_uid=f"announce:{label}")
