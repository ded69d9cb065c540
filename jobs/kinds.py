"""What each kind of job does, who may start it, and who may read what it made.

One entry per kind in `KINDS`. A kind's `run` gets the job and returns an `Outcome`; it
may raise, and `jobs.services.run_job` turns the exception into the failed job's message.
Permission is checked when the job starts, again when it runs (as its owner), and again
whenever its result is read: a person who lost access meanwhile gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .models import Job
from .storage import job_storage


@dataclass
class Outcome:
    """What a job made: a file to download, a report to show, or both."""

    content: Any = None  # bytes, or a django File (an export written to a temporary file)
    filename: str = ""
    content_type: str = ""
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    may_start: Callable[[Any, dict], bool]
    may_read: Callable[[Any, Job], bool]
    title: Callable[[dict], str]
    run: Callable[[Job], Outcome]
    refused: str = "You may not start this job."
    # The file shows data as its owner saw it (an export, a portfolio): it is given only while
    # what they may see is unchanged (jobs.viewer). An import's report shows their own file.
    as_seen_by_owner: bool = True


# --- round portfolio ---------------------------------------------------------------------
def _round(params: dict):
    from fund.models import Round

    return Round.objects.select_related("fund").filter(pk=params.get("round")).first()


def _may_see_portfolio(user, round_) -> bool:
    from documents.portfolio import can_view_portfolio

    return round_ is not None and can_view_portfolio(user, round_)


def _portfolio_title(params: dict) -> str:
    round_ = _round(params)
    if round_ is None:
        return gettext("Portfolio report: a round")
    return gettext("Portfolio report: %(round)s") % {"round": round_.title}


def _run_portfolio(job: Job) -> Outcome:
    from documents import portfolio

    round_ = _round(job.params)
    if round_ is None:
        raise PermissionDenied(gettext("The round no longer exists."))
    if not _may_see_portfolio(job.owner, round_):
        raise PermissionDenied(gettext("You may no longer see this round's portfolio report."))
    return Outcome(
        content=portfolio.round_portfolio_pdf(round_, job.owner),
        filename=f"round-{round_.pk}-portfolio.pdf", content_type="application/pdf",
    )


ROUND_PORTFOLIO = JobKind(
    may_start=lambda user, params: _may_see_portfolio(user, _round(params)),
    may_read=lambda user, job: _may_see_portfolio(user, _round(job.params)),
    title=_portfolio_title,
    run=_run_portfolio,
    refused="The portfolio report is for fund managers and the round's panel chairs.",
)


# --- import of a file ----------------------------------------------------------------------
def may_import(user) -> bool:
    from datafiles.tables import TableImport

    return TableImport.may_import(user)


def importer_class(path: str):
    """The TableImport subclass named in a job's parameters, and nothing else."""
    from datafiles.tables import TableImport

    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, TableImport)):
        raise ValueError(f"{path} is not a file import.")
    return cls


def report_as_dict(report) -> dict:
    """An ImportReport as JSON, with what the pages show (summary, bad rows)."""
    return {
        "kind": report.kind, "dry_run": report.dry_run, "rows": report.rows,
        "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
        "skipped": report.skipped, "applied": report.applied,
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in report.errors],
        "bad_rows": report.bad_rows, "summary": report.summary(),
    }


def import_confirmable(job: Job) -> bool:
    """A dry run may be applied when it found no bad rows, or bad rows are to be skipped."""
    report = job.report or {}
    return bool(
        job.kind == Job.Kind.IMPORT and job.state == Job.State.READY and report.get("dry_run")
        and (not report.get("errors") or job.params.get("skip_bad_rows"))
    )


def _import_title(params: dict) -> str:
    named = {"name": params.get("name") or gettext("a file"),
             "kind": params.get("label", params.get("import"))}
    if params.get("dry_run"):
        return gettext("Check “%(name)s” (%(kind)s)") % named
    return gettext("Import “%(name)s” (%(kind)s)") % named


def _run_import(job: Job) -> Outcome:
    params = job.params
    importer = importer_class(params["importer"])(actor=job.owner)  # re-checks permission
    storage = job_storage()
    with storage.open(params["file"], "rb") as handle:
        data = handle.read()
    report = importer.run(data, params["name"], dry_run=params["dry_run"],
                          skip_bad_rows=params["skip_bad_rows"])
    outcome = Outcome(report=report_as_dict(report))
    if not params["dry_run"] or (report.errors and not params["skip_bad_rows"]):
        storage.delete(params["file"])  # applied, or refused: it will not be read again
    return outcome


IMPORT = JobKind(
    may_start=lambda user, params: may_import(user),
    may_read=lambda user, job: may_import(user),
    title=_import_title,
    run=_run_import,
    refused="Only fund managers and administrators may import files.",
    as_seen_by_owner=False,
)


# --- export of data (a CSV/XLSX of the export registry, or the 360Giving data) -------------
def may_export(user) -> bool:
    from datafiles.exports import may_move_files

    return may_move_files(user)


GIVING360 = "360giving"


def may_export_this(user, params: dict) -> bool:
    """The registry's exports are for those who move files. The 360Giving data is every
    signed-in person's (its API answers everyone, each with the awards they may see, and the
    job reads only those: `fund.giving360_api.awards_visible_to` of its owner)."""
    if params.get("export") == GIVING360:
        return bool(user and user.is_authenticated and user.is_active)
    return may_export(user)


def _export_title(params: dict) -> str:
    return gettext("Export: %(label)s (%(format)s)") % {
        "label": params.get("label", params.get("export", gettext("data"))),
        "format": params.get("format", "").upper()}


def _run_export(job: Job) -> Outcome:
    """Write the file row by row into a temporary file (constant memory), as its owner sees
    the data now: visibility is that of the person who asked, checked as the job runs."""
    import tempfile

    from django.core.files import File

    params = job.params
    fmt, kind = params["format"], params["export"]
    if not may_export_this(job.owner, params):
        raise PermissionDenied(gettext("Only fund managers and administrators may export files."))
    handle = tempfile.TemporaryFile()
    try:
        if kind == GIVING360:
            from fund import giving360
            from fund.giving360_api import awards_visible_to

            content_type = giving360.CONTENT_TYPES[fmt]
            for chunk in giving360.package_chunks(awards_visible_to(job.owner), fmt):
                handle.write(chunk)
        else:
            from datafiles.exports import EXPORT_FORMATS, export_table, write_export

            content_type = EXPORT_FORMATS[fmt]
            table = export_table(kind, viewer=job.owner, options=params.get("options"),
                                 round_id=params.get("round"), selected=params.get("selected"))
            write_export(table, fmt, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return Outcome(content=File(handle, name=params["filename"]), filename=params["filename"],
                   content_type=content_type)


EXPORT = JobKind(
    may_start=may_export_this,
    may_read=lambda user, job: may_export_this(user, job.params),
    title=_export_title,
    run=_run_export,
    refused="Only fund managers and administrators may export files.",
)


KINDS: dict[str, JobKind] = {
    Job.Kind.ROUND_PORTFOLIO: ROUND_PORTFOLIO,
    Job.Kind.IMPORT: IMPORT,
    Job.Kind.EXPORT: EXPORT,
}
