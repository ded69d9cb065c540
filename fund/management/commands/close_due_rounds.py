from django.core.management.base import BaseCommand
from django.utils import timezone

from fund.tasks import close_due_rounds


class Command(BaseCommand):
    help = "Close the open rounds whose closing time has passed (beat runs this every 5 minutes)."

    def handle(self, *args, **options):
        closed = close_due_rounds()
        for round_ in closed:
            when = timezone.localtime(round_.closes_at)
            self.stdout.write(f"Closed {round_.title} (closing time {when:%d %b %Y %H:%M})")
        self.stdout.write(self.style.SUCCESS(f"{len(closed)} round(s) closed."))
