from django.core.management.base import BaseCommand

from workflow.one_effect import KEEP_FOR, sweep


class Command(BaseCommand):
    help = (
        "Delete page forms' one-time tokens and API Idempotency-Keys older than 24 hours "
        "(beat runs it hourly as workflow.sweep_form_tokens)."
    )

    def add_arguments(self, parser):
        default = int(KEEP_FOR.total_seconds() // 3600)
        parser.add_argument("--older-than-hours", type=int, default=default,
                            help=f"Keep the newer ones (default and minimum {default}).")

    def handle(self, *args, **options):
        from datetime import timedelta

        counts = sweep(older_than=timedelta(hours=options["older_than_hours"]))
        self.stdout.write(self.style.SUCCESS(
            f"Deleted {counts['formtoken']} form token(s) and {counts['idempotencykey']} "
            "idempotency key(s)."
        ))
