"""Sign-in ignores the case of the username (one identity per person, DOMAIN.md): `PEMA`
signs in as `pema`, on the sign-in page and at `POST /api/v1/auth/token/` alike, since
both ask `django.contrib.auth.authenticate`, which asks this backend."""

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Value
from django.db.models.functions import Lower


class CaseInsensitiveModelBackend(ModelBackend):
    """Django's ModelBackend (permissions included), finding the user by username in any
    case. Were two usernames to differ only by case (a database from before the rule:
    `manage.py check` lists them), only the exact one signs in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        UserModel = get_user_model()
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        field = UserModel.USERNAME_FIELD
        found = list(
            UserModel._default_manager.annotate(_login=Lower(field))
            .filter(_login=Lower(Value(str(username))))
        )
        if len(found) > 1:
            found = [u for u in found if getattr(u, field) == username]
        if len(found) != 1:
            # Run the password hasher once, as ModelBackend does, so that a missing user
            # takes as long as a wrong password.
            UserModel().set_password(password)
            return None
        user = found[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )

