"""django-otp's devices in the admin: superusers only, no secret shown, nothing added or edited.

django-otp's own admins show an authenticator's secret key (and its QR code), list every unused
recovery code and let both be changed or added. Here they are replaced: a superuser sees whose
devices exist (name, when made and last used, confirmed) and deletes one, to remove a lost
authenticator (README "Two-factor sign-in"; the deletion is in the security log with who did it,
securitylog/receivers.py). Nobody else sees them, whatever permissions they hold.
OTP_ADMIN_HIDE_SENSITIVE_DATA is on as well (config/settings.py).
"""

from django.contrib import admin

# Imported first, so that django-otp's registrations exist to be replaced, whatever the order
# of INSTALLED_APPS.
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_FIELDSETS = [
    ("Identity", {"fields": ["user", "name", "confirmed"]}),
    ("Timestamps", {"fields": ["created_at", "last_used_at"]}),
]


class SuperusersRemoveOnly:
    """Superusers view and delete; nobody adds or changes (a key, a code, an owner)."""

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return DEVICE_FIELDSETS

    def get_list_display(self, request):
        return ["user", "name", "created_at", "last_used_at", "confirmed"]

    def get_urls(self):
        # Only the model's own pages: no config/ or qrcode/ page with the secret.
        return admin.ModelAdmin.get_urls(self)


class TOTPDeviceRemoveOnlyAdmin(SuperusersRemoveOnly, TOTPDeviceAdmin):
    radio_fields = {}


class StaticDeviceRemoveOnlyAdmin(SuperusersRemoveOnly, StaticDeviceAdmin):
    inlines = []  # the recovery codes are never listed

    def get_inline_instances(self, request, obj=None):
        return []


for model, model_admin in ((TOTPDevice, TOTPDeviceRemoveOnlyAdmin),
                           (StaticDevice, StaticDeviceRemoveOnlyAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
