from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications.services import resend_notifications


class Command(BaseCommand):
    help = (
        "Email the notifications whose email was not sent: made while the broker was down, or "
        "refused by the mail server. Never sends an email twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7,
                            help="Only notifications from the last DAYS days (default 7).")
        parser.add_argument("--older-than-minutes", type=int, default=0,
                            help="Leave the newest ones to their task (default 0: send all).")

    def handle(self, *args, **options):
        sent = resend_notifications(
            older_than=timedelta(minutes=options["older_than_minutes"]),
            within=timedelta(days=options["days"]),
        )
        self.stdout.write(self.style.SUCCESS(f"{sent} email(s) sent."))
