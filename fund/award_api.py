"""The awards and tranches part of the JSON API (issue 4)."""

urlpatterns: list = []
