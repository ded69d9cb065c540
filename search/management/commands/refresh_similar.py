"""Find and store the similar work of submitted proposals (search/services.py).

    manage.py refresh_similar                # proposals waiting in screening with none stored
    manage.py refresh_similar --all          # every proposal ever submitted, again
    manage.py refresh_similar --id 12 --id 40

What is read of the stored rows: the page of a proposal in state "submitted" (its team) and
the screening queue (submitted proposals), so the default fills only those: after installing
on the national-scale data set, 546 proposals at about 3 s each on PostgreSQL (a drafting or
revised proposal is searched as it is shown; later states show no similar work). Runs
in-process, one proposal at a time; the submit transition keeps it current afterwards.
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
        if options["id"]:
            proposals = Proposal.objects.filter(pk__in=options["id"])
        elif options["all"]:
            proposals = Proposal.objects.exclude(NEVER_SUBMITTED)
        else:
            stored = SimilarCandidate.objects.values("source_id")
            proposals = Proposal.objects.filter(state=Proposal.State.SUBMITTED).exclude(
                pk__in=stored)
        ids = proposals.order_by("-id").values_list("pk", flat=True)
        if options["limit"]:
            ids = ids[:options["limit"]]
        done = rows = 0
        for pk in list(ids):
            rows += refresh_similar(proposal_id=pk)
            done += 1
        self.stdout.write(f"Similar work found for {done} proposals ({rows} rows stored).")
