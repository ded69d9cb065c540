"""Contributions by file: `fund,agency,amount,received_on,note` (fund by slug, agency by code)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from datafiles.tables import RowProblems, TableImport
from people.models import Agency

from .models import Contribution, Fund


class ContributionImport(TableImport):
    """A contribution is known by all of its fields: the same row imported again is unchanged.

    Contributions are money received; an import never edits or removes one.
    """

    kind = "contributions"
    headers = ("fund", "agency", "amount", "received_on", "note")
    key_field = "contribution"
    updates = False

    def prepare(self, rows) -> None:
        self.funds = dict(Fund.objects.values_list("slug", "id"))
        # Agency codes without regard to case (stored upper-case): `moh` is MOH.
        self.agencies = {code.upper(): pk for code, pk in Agency.objects.values_list("code", "id")}

    def clean_row(self, row: dict) -> dict:
        problems = {}
        slug, code = row["fund"].strip(), row["agency"].strip()
        key = code.upper()
        if slug not in self.funds:
            problems["fund"] = (
                gettext("No fund has the slug “%(slug)s”.") % {"slug": slug} if slug
                else gettext("The fund is missing.")
            )
        if key not in self.agencies:
            problems["agency"] = (
                gettext("No agency has the code “%(code)s”.") % {"code": code} if code
                else gettext("The agency code is missing.")
            )
        text = row["amount"].strip().replace(",", "")
        try:
            amount = Decimal(text)
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            amount = None
            problems["amount"] = gettext(
                "“%(amount)s” is not an amount (write e.g. 150000.00).") % {"amount": row["amount"]}
        if amount is not None:
            if amount <= 0:
                problems["amount"] = gettext("A contribution must be more than zero.")
            elif amount != amount.quantize(Decimal("0.01")):
                problems["amount"] = gettext("Use at most two decimal places.")
            elif amount >= Decimal("1e12"):
                problems["amount"] = gettext("The amount is too large.")
        try:
            received_on = date.fromisoformat(row["received_on"].strip()[:10])
        except ValueError:
            received_on = None
            problems["received_on"] = gettext(
                "“%(date)s” is not a date (write YYYY-MM-DD, e.g. 2026-11-28)."
            ) % {"date": row["received_on"]}
        if problems:
            raise RowProblems(problems)
        return {
            "fund_id": self.funds[slug],
            "agency_id": self.agencies[key],
            "amount": amount.quantize(Decimal("0.01")),
            "received_on": received_on,
            "note": row["note"].strip(),
        }

    def key_of(self, values: dict):
        return (values["fund_id"], values["agency_id"], values["amount"], values["received_on"],
                values["note"])

    def existing(self, keys: list) -> dict:
        funds = {k[0] for k in keys}
        rows = Contribution.objects.filter(fund_id__in=funds).only(
            "fund_id", "agency_id", "amount", "received_on", "note"
        )
        return {(c.fund_id, c.agency_id, c.amount, c.received_on, c.note): c for c in rows}

    def build(self, values: dict) -> Contribution:
        return Contribution(**values, recorded_by=self.actor)
