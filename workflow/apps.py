from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every form and API field says its errors in the fund's words (plain_messages.py).
        # Done here, as the app list is read, not in ready(): the admin's ready() (first in
        # INSTALLED_APPS) already builds forms, and a field keeps the messages it was made with.
        from .plain_messages import install

        install()

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_init, pre_delete, pre_save

        from .bounds import install_visible_text, refuse_overlong, remember_overlong
        from .evidence import refuse_deleting_evidence

        # Every model: evidence is refused whatever deletes it (workflow/evidence.py).
        pre_delete.connect(refuse_deleting_evidence, dispatch_uid="workflow.evidence")
        # Every model: no over-long text is stored, whatever saves it (workflow/bounds.py).
        post_init.connect(remember_overlong, dispatch_uid="workflow.bounds.loaded")
        pre_save.connect(refuse_overlong, dispatch_uid="workflow.bounds.save")
        # Every title and name is visible text, in every form and serializer built from it.
        install_visible_text(apps.get_app_configs())
