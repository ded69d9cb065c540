"""Sign-in and sign-out. Names are global (`login`, `logout`): settings.LOGIN_URL refers to
them. The home page (`dashboard`) is portal/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Plain words on who may act when someone has a conflict of interest; open to everyone.
    path("help/conflicts/", TemplateView.as_view(template_name="help/conflicts.html"),
         name="help_conflicts"),
]
