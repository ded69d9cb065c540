"""`manage.py merge_agencies SOURCE_CODE TARGET_CODE [--dry-run]`: join a duplicate agency
into the one to keep (one identity per agency, DOMAIN.md; README "One identity per agency
and person").

Everything that refers to SOURCE (people, contributions, proposals' partner agencies, any
foreign key or many-to-many to Agency) then refers to TARGET; SOURCE is deactivated and its
code retired (e.g. MOH-MERGED7), never deleted. Codes are matched exactly first, so
`merge_agencies moh MOH` picks the right one of two codes that differ only by case.

The people whose agency changed and the proposals whose partners changed are announced
(`people.signals.agency_changed`, `proposals.conflicts.parties_changed`) in the same
transaction, so conflicts of interest are recomputed. The command may have to run while
migrations are pending (people.0003 stops on duplicates); if the announcement cannot run
on the database as it is, the merge is kept and the command says to run
`manage.py merge_agencies --announce-only TARGET_CODE` once `manage.py migrate` is done.

The command lives in proposals/: it moves people/'s agencies with `people.services` and then
re-checks the conflicts of the proposals that moved, which the ground floor cannot see.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from people.models import Agency, User, agencies_with_code
from people.services import agency_merge, announce_agency_changes
from proposals.conflicts import parties_changed
from proposals.models import Proposal


def find_agency(code: str, role: str) -> Agency:
    exact = list(Agency.objects.filter(code=code))
    if len(exact) == 1:
        return exact[0]
    found = list(agencies_with_code(code))
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(f"No agency has the code “{code}” ({role}).")
    raise CommandError(
        f"Several agencies have the code “{code}” without regard to case ({role}): "
        + "; ".join(f"“{a.code}” {a.name}" for a in found)
        + ". Give the code exactly as `manage.py check` lists it."
    )


def announce(*, people: list[int], proposals: list[int]) -> str | None:
    """Announce in a savepoint; the reason it could not be done, or None."""
    try:
        with transaction.atomic():
            announce_agency_changes(people=people, actor=None)
            for proposal in Proposal.objects.filter(pk__in=proposals).order_by("pk"):
                parties_changed.send(sender=Proposal, proposal=proposal, actor=None)
    except DatabaseError as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


class Command(BaseCommand):
    help = (
        "Merge agency SOURCE_CODE into TARGET_CODE: move its people, contributions, "
        "partnerships and every other reference, then deactivate it (never delete)."
    )
    # It repairs what the system check warns of, and may run while migrations are pending.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE",
                            help="SOURCE_CODE TARGET_CODE (with --announce-only: TARGET_CODE).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Say what would move; change nothing.")
        parser.add_argument(
            "--announce-only", action="store_true",
            help="Only announce everyone of TARGET_CODE and the proposals it partners, so "
                 "conflicts of interest are recomputed (after a merge that could not).",
        )

    def handle(self, *args, codes, dry_run, announce_only, **options):
        if announce_only:
            if len(codes) != 1:
                raise CommandError("With --announce-only give one code: the target's.")
            return self._announce_only(find_agency(codes[0], "target"))
        if len(codes) != 2:
            raise CommandError("Give two codes: SOURCE_CODE TARGET_CODE.")
        source, target = find_agency(codes[0], "source"), find_agency(codes[1], "target")
        if source.pk == target.pk:
            raise CommandError("The source and the target are the same agency.")
        if not target.is_active:
            self.stderr.write(f"Note: the target {target} is inactive.")
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}merging {source.name} ({source.code}, "
            f"id {source.pk}) into {target.name} ({target.code}, id {target.pk})."
        )
        problem = None
        try:
            with transaction.atomic():
                result = agency_merge(source=source, target=target, dry_run=dry_run,
                                      announce=False)
                if not dry_run:
                    problem = announce(people=result.people,
                                       proposals=result.partnered.get(Proposal, []))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for line in result.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Nothing was changed (dry run).")
        elif problem:
            self.stderr.write(
                f"The merge is saved, but conflicts of interest could not be recomputed on "
                f"this database ({problem}). Once `manage.py migrate` has finished, run "
                f"`manage.py merge_agencies --announce-only {target.code}`."
            )
        else:
            self.stdout.write("Announced the people and proposals moved, so that their "
                              "conflicts of interest are recomputed.")

    def _announce_only(self, target: Agency) -> None:
        people = list(User.objects.filter(agency=target).values_list("pk", flat=True))
        proposals = list(Proposal.objects.filter(partner_agencies=target)
                         .values_list("pk", flat=True))
        with transaction.atomic():
            problem = announce(people=people, proposals=proposals)
        if problem:
            raise CommandError(f"Conflicts of interest could not be recomputed: {problem}.")
        self.stdout.write(f"Announced {len(people)} people of {target} and {len(proposals)} "
                          f"proposals it partners; conflicts of interest are recomputed.")
