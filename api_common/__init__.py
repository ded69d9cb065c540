"""Ground-floor API plumbing shared by every app's API: error mapping (errors.py) and the
permission classes that say who may try a write (permissions.py). Imports only workflow."""
