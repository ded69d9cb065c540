from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_init, pre_delete, pre_save

        from .bounds import refuse_overlong, remember_overlong
        from .evidence import refuse_deleting_evidence

        # Every model: evidence is refused whatever deletes it (workflow/evidence.py).
        pre_delete.connect(refuse_deleting_evidence, dispatch_uid="workflow.evidence")
        # Every model: no over-long text is stored, whatever saves it (workflow/bounds.py).
        post_init.connect(remember_overlong, dispatch_uid="workflow.bounds.loaded")
        pre_save.connect(refuse_overlong, dispatch_uid="workflow.bounds.save")
