"""`manage.py reset_two_factor <username>`: the way back for a person (the last administrator
too) who lost their phone and their recovery codes. It removes their authenticator and
recovery codes; they then sign in with their password alone and set two-factor sign-in up
again (it is asked of them again at once if their role requires it). A lockout from wrong
codes is lifted with `manage.py axes_reset_username <username>`."""

from django.core.management.base import BaseCommand, CommandError

from people.models import users_with_username
from people.two_factor import remove_devices


class Command(BaseCommand):
    help = ("Remove a person's two-factor sign-in (authenticator and recovery codes), e.g. "
            "when they lost their phone; they sign in with their password and set it up again.")

    def add_arguments(self, parser):
        parser.add_argument("username", help="The person's username (any case).")

    def handle(self, *args, username, **options):
        people = list(users_with_username(username))
        if not people:
            raise CommandError(f"No person has the username “{username}”.")
        if len(people) > 1:
            raise CommandError(f"More than one person has the username “{username}” in some "
                               "case; remove the devices in the admin (Otp_Totp › TOTP devices).")
        person = people[0]
        removed = remove_devices(person)
        if not removed:
            self.stdout.write(f"{person.username} has no two-factor device: nothing removed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Removed from {person.username}: {', '.join(removed)}. They now sign in with "
            "their password and set two-factor sign-in up again."))
        self.stdout.write(f"If they are locked out by failed attempts, also run: manage.py "
                          f"axes_reset_username {person.username.lower()}")
