from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notifications.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind reviewers of reviews due within 3 days or overdue, and teams of outcome reports "
        "due. At most one reminder per object per day: running it twice sends nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("Give --date as YYYY-MM-DD.") from exc
        counts = send_reminders(today=today)
        self.stdout.write(self.style.SUCCESS(
            f"Reminded about {counts['reviews']} review(s) and "
            f"{counts['outcome_reports']} outcome report(s)."
        ))
