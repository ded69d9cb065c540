"""The notifications part of the JSON API."""

urlpatterns: list = []
