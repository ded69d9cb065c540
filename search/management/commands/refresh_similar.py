"""Find and store the similar work of submitted proposals (search/services.py).

    manage.py refresh_similar                # those with none stored yet (after installing)
    manage.py refresh_similar --all          # every submitted proposal again
    manage.py refresh_similar --id 12 --id 40

Runs in-process, one proposal at a time (about a second each at national scale on
PostgreSQL); the submit transition keeps it current afterwards.
"""

from django.core.management.base import BaseCommand

from proposals.models import Proposal
from proposals.selectors import NEVER_SUBMITTED
from search.models import SimilarCandidate
from search.services import refresh_similar


class Command(BaseCommand):
    help = "Find and store similar earlier work for submitted proposals."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="Every submitted proposal, not only those with none stored.")
        parser.add_argument("--id", type=int, action="append", default=[],
                            help="Only this proposal (repeatable).")
        parser.add_argument("--limit", type=int, default=0, help="At most this many.")

    def handle(self, *args, **options):
        proposals = Proposal.objects.exclude(NEVER_SUBMITTED)
        if options["id"]:
            proposals = Proposal.objects.filter(pk__in=options["id"])
        elif not options["all"]:
            stored = SimilarCandidate.objects.values("source_id")
            proposals = proposals.exclude(pk__in=stored)
        ids = proposals.order_by("-id").values_list("pk", flat=True)
        if options["limit"]:
            ids = ids[:options["limit"]]
        done = rows = 0
        for pk in list(ids):
            rows += refresh_similar(proposal_id=pk)
            done += 1
        self.stdout.write(f"Similar work found for {done} proposals ({rows} rows stored).")
