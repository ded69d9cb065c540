from django.utils.functional import SimpleLazyObject


def roles(request):
    """The viewer's roles, for navigation by role in the layout.

    `applicant` is every signed-in user except a pure HR officer, whose work is deciding
    nominations, not drafting proposals (an HR officer who also manages funds keeps it).

    The entries that depend on more than a role come from the rules the pages themselves
    apply, so that no link leads to a refusal:
    - `chairs_panel`: chair, deputy chair or stand-in chair of some panel
      (`reviews.chairs.panels_with_chair_duty`, the duties `can_manage_panel` accepts); asked
      lazily (one query) only for those who are not fund managers, who see every panel.
    - `may_nominate`: `rewards.permissions.can_nominate`, the rule `nomination_create` applies.
    - `sees_all_records`: `rewards.permissions.can_view_people_list`; the others see only their
      own recognitions (`rewards.selectors.recognitions_visible_to`), hence "My recognitions".
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    from reviews.chairs import panels_with_chair_duty
    from rewards.permissions import can_nominate, can_view_people_list

    fund_manager = user.is_fund_manager
    hr_officer = user.is_hr_officer
    return {
        "roles": {
            "applicant": fund_manager or not hr_officer,
            "fund_manager": fund_manager,
            "hr_officer": hr_officer,
            "admin": user.is_superuser,
            "chairs_panel": SimpleLazyObject(lambda: panels_with_chair_duty(user).exists()),
            "may_nominate": can_nominate(user),
            "sees_all_records": can_view_people_list(user),
        }
    }
