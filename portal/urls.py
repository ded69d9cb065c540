"""The home page. Its name is global (`dashboard`): settings.LOGIN_REDIRECT_URL refers to it."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
