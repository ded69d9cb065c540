from people.imports import AgencyImport
from workflow.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import agencies (code,name,kind) keyed by code; re-importing changes nothing."
    importer = AgencyImport
