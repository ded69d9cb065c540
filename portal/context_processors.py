from django.utils.functional import SimpleLazyObject


def roles(request):
    """The viewer's roles, for navigation by role in the layout.

    `applicant` is every signed-in user except a pure HR officer, whose work is deciding
    nominations, not drafting proposals (an HR officer who also manages funds keeps it).

    The entries that depend on more than a role come from the rules the pages themselves
    apply, so that no link leads to a refusal:
    - `chair_panel_ids`: the panels where the viewer is chair, deputy chair or stand-in chair
      (`reviews.chairs.panels_with_chair_duty`, the duties `can_manage_panel` accepts), whose
      pages they open; `chairs_panel` is the same set, true when not empty. Asked lazily (one
      query, whichever is used first) and never for fund managers, who see every panel; the
      home page leaves on the request whether there is any (`request.has_chair_duty`, from
      its gates) and the panels, asked lazily (`request.chair_panel_ids`), so the page asks
      them at most once, and only if a template reads them.
    - `may_nominate`: `rewards.permissions.can_nominate`, the rule `nomination_create` applies.
    - `sees_all_records`: `rewards.permissions.can_view_people_list`; the others see only their
      own recognitions (`rewards.selectors.recognitions_visible_to`), hence "My recognitions".
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    from rewards.permissions import can_nominate, can_view_people_list

    from .selectors import chair_panel_ids as panel_ids

    known = getattr(request, "chair_panel_ids", None)  # the home page asked already
    chair_panel_ids = known if known is not None else SimpleLazyObject(lambda: panel_ids(user))
    fund_manager = user.is_fund_manager
    hr_officer = user.is_hr_officer
    return {
        "roles": {
            "applicant": fund_manager or not hr_officer,
            "fund_manager": fund_manager,
            "hr_officer": hr_officer,
            "admin": user.is_superuser,
            "chairs_panel": getattr(request, "has_chair_duty", chair_panel_ids),
            "chair_panel_ids": chair_panel_ids,
            "may_nominate": can_nominate(user),
            "sees_all_records": can_view_people_list(user),
        }
    }
