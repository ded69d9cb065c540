"""Sign-in and sign-out. Names are global (`login`, `logout`): settings.LOGIN_URL refers to
them. The home page (`dashboard`) is portal/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from . import two_factor_views
from .throttling import SignInForm

urlpatterns = [
    # Sign-in: the password, then a code for people with two-factor sign-in on.
    # Credentials that could be nobody's are refused before any query (people/throttling.py).
    path("login/", two_factor_views.SignInView.as_view(authentication_form=SignInForm),
         name="login"),
    path("login/code/", two_factor_views.login_code, name="login_code"),
    path("account/two-factor/", two_factor_views.status, name="two_factor"),
    path("account/two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("account/two-factor/recovery-codes/", two_factor_views.codes, name="two_factor_codes"),
    path("account/two-factor/turn-off/", two_factor_views.turn_off, name="two_factor_off"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Plain words on who may act when someone has a conflict of interest; open to everyone.
    path("help/conflicts/", TemplateView.as_view(template_name="help/conflicts.html"),
         name="help_conflicts"),
]
