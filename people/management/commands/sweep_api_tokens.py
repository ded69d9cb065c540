from django.core.management.base import BaseCommand

from people.tokens import sweep_expired_tokens


class Command(BaseCommand):
    help = ("Delete the API tokens that have expired (API_TOKEN_MAX_AGE, API_TOKEN_IDLE). They are "
            "refused anyway; this only clears tokens nobody has sent since.")

    def handle(self, *args, **options):
        count = sweep_expired_tokens()
        self.stdout.write(f"{count} expired API token{'s' if count != 1 else ''} deleted.")
