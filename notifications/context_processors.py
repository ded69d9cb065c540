from .selectors import unread_count


def unread(request):
    """`unread_notifications`: the viewer's unread count, counted only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    cache: dict[str, int] = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = unread_count(user=user)
        return cache["n"]

    return {"unread_notifications": count}
