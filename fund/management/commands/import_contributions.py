from datafiles.import_command import ImportCommand
from fund.imports import ContributionImport


class Command(ImportCommand):
    help = "Import contributions (fund,agency,amount,received_on,note); a known row is unchanged."
    importer = ContributionImport
