from django.core.management.base import BaseCommand

from reviews.tasks import reconcile_acting_chairs


class Command(BaseCommand):
    help = ("Recompute the stored acting chair of every proposal in a panel's states and "
            "correct those that differ from the rule (beat runs this nightly).")

    def handle(self, *args, **options):
        stale = reconcile_acting_chairs()
        if stale:
            self.stdout.write(f"{len(stale)} stored acting chair(s) differed and were "
                              f"corrected: proposals {', '.join(map(str, stale))}.")
        self.stdout.write(self.style.SUCCESS(
            f"Acting chairs checked; {len(stale)} corrected."))
