"""The Dzongkha of tests/documents/test_dzongkha_pdfs.py (issue 18), shared by these tests."""

from tests.documents.test_dzongkha_pdfs import (  # noqa: F401 (re-exported)
    AGENCY,
    FIRST_NAME,
    FUND,
    LAST_NAME,
    LEARNING,
    ROUND,
    SUMMARY,
    TITLE,
)
