"""Demo data for `manage.py seed_demo`, floor by floor: funds and first proposals
(`funding.py`), reviews (`reviews.py`), learnings and recognitions (`rewards.py`). Every state is
reached through the apps' services, as a person would reach it."""
