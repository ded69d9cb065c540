"""The proposals part of the JSON API (see API.md)."""

urlpatterns: list = []
