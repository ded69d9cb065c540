from datafiles.import_command import ImportCommand
from people.imports import AgencyImport


class Command(ImportCommand):
    help = "Import agencies (code,name,kind) keyed by code; re-importing changes nothing."
    importer = AgencyImport
