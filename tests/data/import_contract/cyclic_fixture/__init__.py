"""A two-module cycle, for tests/test_import_contract.py: the cycle finder must see it."""
