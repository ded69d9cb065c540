from datafiles.import_command import ImportCommand
from people.imports import CivilServantImport


class Command(ImportCommand):
    help = (
        "Import civil servants (employee_id,username,first_name,last_name,email,agency,"
        "position_title,position_level) keyed by employee_id; re-importing changes nothing."
    )
    importer = CivilServantImport
