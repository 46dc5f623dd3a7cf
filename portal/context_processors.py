from django.conf import settings

from portal.navigation import nav_items_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return {
        "program_name": settings.PROGRAM_NAME,
        "current_role": role,
        "nav_items": nav_items_for(role),
    }
