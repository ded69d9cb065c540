"""What the browser tests share: the demo logins, signing in, running axe-core."""


import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo-pass-2026"

# The demo's logins by role (portal/management/commands/seed_demo.py, README "Demo logins").
ROLES = {
    "applicant": "pema",  # civil servant, lead of several proposals
    "reviewer": "ugyen",  # a member of the open round's panel
    "chair": "tashi",  # chair of the open round's and the pilot round's panels
    "fund_manager": "sonam",
    "hr_officer": "dechen",
    "anonymous": None,
}


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return found if found and Path(found).exists() else None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if os.environ.get("BROWSER_TESTS", "1") == "0":
        return "browser tests switched off (BROWSER_TESTS=0)"
    if chromium_path() is None:
        return "no Chromium: install Debian's `chromium` (apt-get install chromium)"
    if not AXE_JS.exists():
        return "no axe-core: run `npm ci` at the repository root (make test does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements.txt)"
    return None


def sign_in(page, base_url: str, username: str | None) -> None:
    """Sign in through the sign-in page, as a person would (nothing for the anonymous visitor)."""
    if username is None:
        return
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations on the page as it is now, every rule axe runs by default (WCAG
    2.x A and AA, best practices), any impact. Evaluated through the DevTools protocol, so the
    page's Content-Security-Policy does not need loosening."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                count: v.nodes.length,
            }));
        }"""
    )
