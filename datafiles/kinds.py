"""What may be imported: kind → (label, the app's `TableImport` by dotted path).

Each app declares its import beside its models (people/imports.py, fund/imports.py); this
registry names them by path, so the engine imports no app above the ground floor, and the
pages, the admin and the background job (jobs/services.py) all read the same list."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

IMPORTS = {
    "agencies": (_("Agencies"), "people.imports.AgencyImport"),
    "civil-servants": (_("Civil servants"), "people.imports.CivilServantImport"),
    "contributions": (_("Contributions"), "fund.imports.ContributionImport"),
}


def importer_class(kind: str):
    return import_string(IMPORTS[kind][1])


def import_headers(kind: str) -> tuple[str, ...]:
    return importer_class(kind).headers


def all_headers() -> dict[str, tuple[str, ...]]:
    return {kind: import_headers(kind) for kind in IMPORTS}
