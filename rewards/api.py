"""The rewards part of the JSON API: learnings, recognitions, nominations, the innovation record."""

urlpatterns: list = []
