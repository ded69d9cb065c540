"""`manage.py generate_load --proposals N`: a realistic national-scale data set for benchmarks.

Agencies (25), people (0.3 per proposal, at least 300), funds and their contributions, rounds
of various sizes (one holds 5% of the proposals, for the ranking benchmark), panels, proposals
in every state with their team, partners and budget lines, assignments, reviews and scores,
awards and tranches, outcome reports, learnings, recognitions and nominations, and each
state's transition history. Every integrity rule of DOMAIN.md holds (see portal/load/build.py).
100,000 proposals take a few minutes on PostgreSQL (bench/generate_load_results.md).

It writes rows directly, without services or notifications, and refuses to run where it could
do harm: with DEBUG off (unless told this is not production), or on a database that already
has proposals (unless asked to add to them or to erase everything first).
"""

import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from people.models import User
from portal.load.build import DEFAULT_PASSWORD, Generator
from proposals.models import Proposal


def free_prefix() -> str:
    """`load`, or `load2`, `load3`... when an earlier run's accounts exist (--append)."""
    prefix, n = "load", 1
    while User.objects.filter(username__iexact=f"{prefix}-admin").exists():
        n += 1
        prefix = f"load{n}"
    return prefix


class Command(BaseCommand):
    help = ("Generate a realistic data set of N proposals (and people, rounds, reviews, awards "
            "in proportion) for benchmarks. Never on a production database.")

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, required=True,
                            help="How many proposals (everything else scales with it).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Random seed: the same seed and size give the same data set.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"Every generated account's password (default "
                                 f"{DEFAULT_PASSWORD}).")
        parser.add_argument("--append", action="store_true",
                            help="Add to a database that already has proposals (new accounts "
                                 "are named load2-..., load3-...).")
        parser.add_argument("--clear", action="store_true",
                            help="ERASE EVERY ROW of the database first (manage.py flush), "
                                 "then generate.")
        parser.add_argument("--i-know-this-is-not-production", action="store_true",
                            dest="not_production",
                            help="Run although DEBUG is off.")

    def handle(self, *args, proposals, seed, password, append, clear, not_production, **options):
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "DEBUG is off, so this may be a production database: generate_load writes "
                "hundreds of thousands of made-up rows. If this is a test or benchmark "
                "database, run it again with --i-know-this-is-not-production.")
        if proposals < 1:
            raise CommandError("--proposals must be at least 1.")
        if append and clear:
            raise CommandError("Choose --append (add to what is there) or --clear (erase "
                               "everything first), not both.")
        existing = Proposal.objects.count()
        if existing and not (append or clear):
            raise CommandError(
                f"The database already has {existing:,} proposals. Run with --append to add "
                f"a data set beside them, or --clear to erase EVERY row of the database "
                f"first (all data, not only generated data).")
        if clear:
            self.stdout.write("Erasing every row of the database (manage.py flush)...")
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()  # flush made them anew, with new ids
        started = time.monotonic()
        self.stdout.write(f"Generating {proposals:,} proposals (seed {seed})...")
        generator = Generator(proposals, seed=seed, password=password, prefix=free_prefix(),
                              stdout=self.stdout)
        counts = generator.run()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Generated {sum(counts.values()):,} rows in {seconds:.1f} s."))
        for label, count in sorted(counts.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {label:<32} {count:>10,}")
        self.stdout.write(f"\nSign in with password {password!r} as:")
        for role, username in generator.accounts.items():
            self.stdout.write(f"  {username:<16} {role}")
