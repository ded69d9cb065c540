"""The reviews part of the JSON API (see API.md)."""

urlpatterns: list = []
