"""Ground-floor API plumbing shared by every app's API: error mapping (errors.py), the
permission classes that say who may try a write (permissions.py) and how every list is paged
(pagination.py: page numbers with an honoured page_size, keyset paging on long lists).
Imports only workflow."""
