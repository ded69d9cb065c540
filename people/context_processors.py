def roles(request):
    """The viewer's roles, for navigation by role in the layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    return {
        "roles": {
            "fund_manager": user.is_fund_manager,
            "hr_officer": user.is_hr_officer,
            "admin": user.is_superuser,
        }
    }
