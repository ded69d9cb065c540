"""Documents made from several apps: the round portfolio report (`portfolio.py`: ranking,
decisions and money), with its API (`api.py`). Documents about one app's objects stay with
it (fund/documents.py: proposal summary, award letter and the PDF machinery, with
fund/pdf_fonts.py and fund/pdf_fetcher.py;
rewards/documents.py: the HR dossier)."""
