"""Screenshots of each role's home page at 1280 px and 375 px, for docs/screenshots/ and the
README. Deselected by default (marker `screenshots`); write them again with
`pytest tests/browser/test_screenshots.py -m screenshots -p no:xdist`.
Only the first screen (the viewport, not the full page), so the PNGs stay small."""

import pytest

from tests.browser.helpers import ROLES, ROOT, sign_in

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db]

OUT = ROOT / "docs" / "screenshots"
SIZES = {1280: 800, 375: 812}


@pytest.mark.parametrize("role", list(ROLES))
def test_home_page_screenshots(role, site, browser):
    OUT.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="en-GB", timezone_id="Asia/Thimphu")
        page = context.new_page()
        try:
            sign_in(page, site, ROLES[role])
            page.goto(site + "/")
            path = OUT / f"{role.replace('_', '-')}-home-{width}.png"
            page.screenshot(path=str(path), full_page=False)
        finally:
            context.close()
        assert path.stat().st_size > 1000
