"""Radio buttons and checkboxes drawn inside a bordered box (the reviewer's 1..max score
choices) sit inside the box, clear of its border (walkthrough: the circles overlapped the
boxes' left border, a generic choice rule taking away the box's padding), and keep the
visible focus ring when reached by keyboard."""

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Every choice whose label draws a border: the control's box against the label's inner edge.
INSIDE_JS = """() => Array.from(document.querySelectorAll(
        'input[type=radio], input[type=checkbox]'))
    .map(input => ({input, label: input.closest('label')}))
    .filter(({label}) => label && parseFloat(getComputedStyle(label).borderLeftWidth) > 0)
    .map(({input, label}) => {
        const i = input.getBoundingClientRect(), l = label.getBoundingClientRect();
        const s = getComputedStyle(label);
        return {name: input.name + '=' + input.value,
                left: i.left - (l.left + parseFloat(s.borderLeftWidth)),
                right: (l.right - parseFloat(s.borderRightWidth)) - i.right,
                top: i.top - (l.top + parseFloat(s.borderTopWidth)),
                bottom: (l.bottom - parseFloat(s.borderBottomWidth)) - i.bottom};
    })"""

GAP = 4  # px of room at least between a control and its box's border


def _open_assignment(django_db_blocker):
    from people.models import User
    from reviews.factories import AssignmentFactory

    with django_db_blocker.unblock():
        return AssignmentFactory(reviewer=User.objects.get(username="ugyen")).pk


def test_score_choices_sit_inside_their_boxes_and_keep_the_focus_ring(site, browser,
                                                                      django_db_blocker):
    pk = _open_assignment(django_db_blocker)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, site, "ugyen")
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{site}/reviews/assignments/{pk}/")
            boxes = page.evaluate(INSIDE_JS)
            assert boxes, "the assignment page draws its score choices as boxes"
            crowded = [b for b in boxes
                       if min(b["left"], b["right"], b["top"], b["bottom"]) < GAP]
            assert not crowded, f"@{width}px: controls on or past their box's border: {crowded}"
        first = page.locator(".score-choices input[type=radio]").first
        first.focus()
        page.keyboard.press("ArrowRight")  # by keyboard: :focus-visible
        ring = page.evaluate("""() => {
            const label = document.activeElement.closest('label');
            const s = getComputedStyle(label);
            return [s.outlineStyle, s.outlineWidth, s.boxShadow];
        }""")
        assert ring[0] == "solid" and ring[1] == "3px" and ring[2] != "none", ring
    finally:
        context.close()
