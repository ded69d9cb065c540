"""Production settings: `check --deploy` is clean with DEBUG off, and a missing key is refused."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True,
        text=True, timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="fund.gov.bt,localhost",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "?:" not in output


def test_debug_off_without_secret_key_fails_clearly():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="fund.gov.bt")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY when DEBUG is off." in result.stderr


def test_check_deploy_flags_a_development_setup():
    """The test above can fail: with DEBUG on the same command warns."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on in deployment


def test_production_silences_no_check_and_keeps_https_settings():
    """`check --deploy` is clean because the settings are right, not because checks are off."""
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SILENCED_SYSTEM_CHECKS, s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER)"
    )
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
                            "SECURE_HSTS_SECONDS"}}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0",
                   SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="fund.gov.bt")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "[] False True True True True ('HTTP_X_FORWARDED_PROTO', 'https')")


def test_check_deploy_flags_https_turned_off():
    """The clean result depends on the HTTPS settings: without the redirect it warns."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="fund.gov.bt",
        SECURE_SSL_REDIRECT="0",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
