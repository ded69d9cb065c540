"""Awards as 360Giving data: the open standard funders use to publish their grants.

A grant's `id` is `<GRANT_ID_PREFIX>-<award id>`; the recipient is the lead's agency
and the funder the fund's organisation. The bundled schemas (fund/schemas/360giving,
CC BY 4.0) validate the output offline.
"""

import json
import math
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from datafiles.cells import CSV_CONTENT_TYPE, csv_chunks, csv_text

# The json module's own string encoder (C when available), as `ensure_ascii=False` uses it.
_encode_string = json.encoder.encode_basestring

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "360giving"
GRANT_SCHEMA_URL = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)
VERSION = "1.4"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": CSV_CONTENT_TYPE}
# Awards are read in chunks of this many from one query (a server-side cursor on PostgreSQL).
CHUNK_ROWS = 2000


def _org_prefix() -> str:
    """Organisation identifiers of agencies and funders: `<prefix>-<code>`."""
    return getattr(settings, "ORGANISATION_ID_PREFIX", "XI-BTGOV")


def grant_id(award) -> str:
    return f"{settings.GRANT_ID_PREFIX}-{award.pk}"


def agency_identifier(agency) -> str:
    return f"{_org_prefix()}-{agency.code}"


# What a grant is made of, read straight from the database for a queryset of awards (one row
# per award, no model instances: at national scale building six objects per award, with their
# signals, cost more than everything else together).
GRANT_FIELDS = (
    "pk", "amount", "approved_at", "proposal__title", "proposal__summary",
    "proposal__hypothesis", "proposal__duration_months", "proposal__round__title",
    "proposal__round__fund__currency", "proposal__round__fund__organisation",
    "proposal__round__fund__name", "proposal__round__fund__slug",
    "proposal__round__fund__organisation_identifier", "proposal__lead__agency_id",
    "proposal__lead__agency__code", "proposal__lead__agency__name",
)


def _prefixes() -> tuple[str, str, object]:
    """What every grant's identifiers start with, and the fund's time zone: read once per
    package (settings are slow to read a few thousand times)."""
    return settings.GRANT_ID_PREFIX, _org_prefix(), timezone.get_current_timezone()


def _record(prefixes, award_id, amount, approved_at, title, summary, hypothesis,
            duration_months, round_title, currency, organisation, fund_name, fund_slug,
            organisation_identifier, agency_id, agency_code, agency_name) -> dict:
    """One grant, from the values of GRANT_FIELDS (the same for a model and a row)."""
    grant_prefix, org_prefix, zone = prefixes
    funder_id = organisation_identifier or f"{org_prefix}-{fund_slug}"
    record = {
        "id": f"{grant_prefix}-{award_id}",
        "title": title,
        "description": summary or hypothesis or title,
        "currency": currency,
        "amountAwarded": float(amount),
        # The fund's own calendar day (Asia/Thimphu), not UTC's.
        "awardDate": timezone.localdate(approved_at, zone).isoformat(),
        "fundingOrganization": [
            {"id": funder_id, "name": organisation or fund_name},
        ],
        "recipientOrganization": [
            {"id": f"{org_prefix}-{agency_code}", "name": agency_name}
            if agency_id is not None else
            {"id": f"{org_prefix}-UNKNOWN", "name": "Unknown agency"},
        ],
        "grantProgramme": [{"title": round_title}],
    }
    if duration_months:
        record["plannedDates"] = [{"duration": int(duration_months)}]
    return record


def grant(award, prefixes=None) -> dict:
    proposal = award.proposal
    round_ = proposal.round
    fund = round_.fund
    agency = proposal.lead.agency
    return _record(
        prefixes or _prefixes(), award.pk, award.amount, award.approved_at, proposal.title, proposal.summary,
        proposal.hypothesis, proposal.duration_months, round_.title, fund.currency,
        fund.organisation, fund.name, fund.slug, fund.organisation_identifier,
        agency.pk if agency else None, agency.code if agency else None,
        agency.name if agency else None,
    )


def grants(awards) -> Iterator[dict]:
    """Each award as a grant; a queryset is read in chunks from one query, as rows of
    GRANT_FIELDS (constant memory, no model instances)."""
    prefixes = _prefixes()
    if isinstance(awards, QuerySet):
        rows = awards.values_list(*GRANT_FIELDS).iterator(chunk_size=CHUNK_ROWS)
        for row in rows:
            yield _record(prefixes, *row)
        return
    for award in awards:
        yield grant(award, prefixes)


def more_awards_than(awards: QuerySet, limit: int) -> bool:
    """Whether `awards` holds more than `limit` awards: reads at most `limit + 1` ids (a
    bounded count, whatever their number), never the rows."""
    return len(awards.order_by().values_list("pk", flat=True)[: limit + 1]) > limit


def package(awards) -> dict:
    return {"version": VERSION, "grants": list(grants(awards))}


def _json_text(value, pad: str) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` for a grant (dicts with text keys,
    lists, texts, numbers), each line after the first prefixed by `pad`: the same text,
    written without the json module's pure-Python indenting encoder (slower)."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        return "{\n" + ",\n".join([
            f"{inner}{_encode_string(key)}: {_json_text(item, inner)}"
            for key, item in value.items()
        ]) + "\n" + pad + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join([inner + _json_text(item, inner) for item in value]) \
            + "\n" + pad + "]"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if value is None or kind is bool or kind is float:
        return json.dumps(value)
    raise TypeError(f"{kind.__name__} is not a 360Giving value")


def package_json_chunks(awards) -> Iterator[str]:
    """`package_json`, a grant at a time: the same text (`json.dumps(..., indent=2)`) joined."""
    yield '{\n  "version": ' + json.dumps(VERSION) + ',\n  "grants": ['
    first = True
    for record in grants(awards):
        yield ("\n    " if first else ",\n    ") + _json_text(record, "    ")
        first = False
    yield "]\n}" if first else "\n  ]\n}"


def package_json(awards) -> str:
    return "".join(package_json_chunks(awards))


CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    # A number, never neutralised as text (datafiles/cells.py): `1250000.00`.
    ("Amount Awarded", lambda g: Decimal(f"{g['amountAwarded']:.2f}")),
    ("Award Date", lambda g: g["awardDate"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
]


def _csv_rows(awards):
    return ([value(record) for _, value in CSV_COLUMNS] for record in grants(awards))


def package_csv(awards) -> str:
    """The flattened CSV form 360Giving publishers use (column titles of the standard); text
    a spreadsheet would run stays text (datafiles/cells.py)."""
    return csv_text([title for title, _ in CSV_COLUMNS], _csv_rows(awards))


def package_chunks(awards, fmt: str) -> Iterator[bytes]:
    """The JSON package or the CSV as UTF-8 bytes, streamed (the same bytes as
    `package_json` / `package_csv`)."""
    if fmt == "json":
        return (chunk.encode("utf-8") for chunk in package_json_chunks(awards))
    return csv_chunks([title for title, _ in CSV_COLUMNS], _csv_rows(awards), bom=False)


@cache
def _validator():
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant_schema = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads(
        (SCHEMAS / "360-giving-package-schema.json").read_text(encoding="utf-8")
    )
    registry = Registry().with_resources([
        (GRANT_SCHEMA_URL, DRAFT202012.create_resource(grant_schema)),
        (grant_schema.get("$id", GRANT_SCHEMA_URL), DRAFT202012.create_resource(grant_schema)),
    ])
    # The files say "http://json-schema.org/draft/2020-12/schema" (http), which the
    # referencing library does not recognise as a dialect: name it explicitly.
    return Draft202012Validator(package_schema, registry=registry, format_checker=_formats())


def _formats():
    """Formats checked without optional packages; `awardDate` is a date *or* a date-time
    (oneOf), so date-time must really be checked for a plain date to be valid."""
    from datetime import date, datetime

    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            raise ValueError("not a date-time")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("date", raises=ValueError)
    def is_date(value) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    return checker


def validation_errors(data: dict) -> list[str]:
    """Messages for every way `data` departs from the 360Giving package and grant schemas."""
    messages = []
    for error in _validator().iter_errors(data):
        # A failed oneOf/anyOf says little by itself: report what each branch found.
        leaves = [e for e in error.context if not e.context] if error.context else [error]
        for leaf in leaves:
            where = "/".join(map(str, leaf.absolute_path)) or "(package)"
            message = f"{where}: {leaf.message}"
            if message not in messages:
                messages.append(message)
    return messages
