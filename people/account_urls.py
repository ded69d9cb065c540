"""/account/: the signed-in person's own sign-in settings (people/account_views.py)."""

from django.urls import path

from . import account_views

urlpatterns = [
    path("security/", account_views.account_security, name="account_security"),
    path("security/tokens/<int:pk>/revoke/", account_views.revoke_token,
         name="account_revoke_token"),
    path("security/sign-out-everywhere/", account_views.sign_out_everywhere_view,
         name="account_sign_out_everywhere"),
]
