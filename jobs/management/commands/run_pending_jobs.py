from datetime import timedelta

from django.core.management.base import BaseCommand

from jobs.services import STALE_AFTER, run_pending_jobs


class Command(BaseCommand):
    help = (
        "Run the jobs still waiting (queued while the broker was down, or lost by it), here and "
        "now, and mark jobs running for too long as interrupted. A job never runs twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=0,
                            help="Leave the newest queued jobs to their task (default 0: run all).")
        parser.add_argument("--stale-after-minutes", type=int,
                            default=int(STALE_AFTER.total_seconds() // 60),
                            help="A job running longer than this was interrupted (default 60).")

    def handle(self, *args, **options):
        counts = run_pending_jobs(
            older_than=timedelta(minutes=options["older_than_minutes"]),
            stale_after=timedelta(minutes=options["stale_after_minutes"]),
        )
        self.stdout.write(self.style.SUCCESS(
            f"Ran {counts['ran']} waiting job(s); {counts['interrupted']} interrupted job(s) "
            "marked failed."
        ))
