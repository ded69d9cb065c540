def roles(request):
    """The viewer's roles, for navigation by role in the layout.

    `applicant` is every signed-in user except a pure HR officer, whose work is deciding
    nominations, not drafting proposals (an HR officer who also manages funds keeps it).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    fund_manager = user.is_fund_manager
    hr_officer = user.is_hr_officer
    return {
        "roles": {
            "applicant": fund_manager or not hr_officer,
            "fund_manager": fund_manager,
            "hr_officer": hr_officer,
            "admin": user.is_superuser,
        }
    }
