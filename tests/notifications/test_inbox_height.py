"""25 notifications fit in a screen or two, measured in Chromium (issue 15: they were 8,500
pixels). Skipped, with the reason, where Debian's Chromium or Playwright is missing."""

from pathlib import Path

import pytest

from notifications.factories import NotificationFactory
from people.factories import UserFactory
from tests.browser.helpers import chromium_path

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def _rendered_page(client) -> str:
    user = UserFactory()
    NotificationFactory.create_batch(
        25, recipient=user, url="/proposals/",
        title="Proposal sent to review: Mobile clinics for the remote gewogs of Lhuentse",
        body="“Mobile clinics” passed screening and goes to a review panel. Open the proposal "
             "to see its history and what happens next.")
    client.force_login(user)
    return client.get("/notifications/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("width, most", [(1280, 1900), (375, 3600)])
def test_25_notifications_are_short(client, width, most):
    if chromium_path() is None:
        pytest.skip("no Chromium: install Debian's `chromium` (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    html = _rendered_page(client)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.set_content(html)
            page.add_style_tag(path=str(CSS))
            list_height = page.eval_on_selector(".notice-list", "e => e.offsetHeight")
            page_width = page.evaluate("document.documentElement.scrollWidth")
            smallest_target = page.eval_on_selector_all(
                "button.notice-title, .notice-mark-button",
                "els => Math.min(...els.map(e => e.getBoundingClientRect().height))")
        finally:
            browser.close()
    assert list_height <= most, f"25 notifications are {list_height} px high at {width} px"
    assert page_width <= width
    assert smallest_target >= 24  # WCAG 2.2 target size (minimum)
