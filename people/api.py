"""The people part of the JSON API (see API.md)."""

urlpatterns: list = []
