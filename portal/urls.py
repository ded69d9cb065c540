"""The home page. Its name is global (`dashboard`): settings.LOGIN_REDIRECT_URL refers to it."""

from django.urls import path

from . import all_proposals, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Every proposal a fund manager may see (the screening queue shows only those to screen).
    path("proposals/all/", all_proposals.all_proposals, name="all_proposals"),
]
