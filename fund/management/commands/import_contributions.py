from fund.imports import ContributionImport
from workflow.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import contributions (fund,agency,amount,received_on,note); a known row is unchanged."
    importer = ContributionImport
