from django.db.models import QuerySet

from .models import Agency, User


def agencies_active() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True)


def people_list(*, filters: dict | None = None) -> QuerySet[User]:
    filters = filters or {}
    qs = User.objects.filter(is_active=True).select_related("agency")
    if filters.get("agency"):
        qs = qs.filter(agency_id=filters["agency"])
    if filters.get("position_level"):
        qs = qs.filter(position_level=filters["position_level"])
    if filters.get("q"):
        from django.db.models import Q

        q = filters["q"]
        qs = qs.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(username__icontains=q)
            | Q(employee_id__icontains=q)
        )
    return qs
