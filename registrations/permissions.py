"""Who may see which businesses: the one scoping rule every business list and page uses."""

from django.db.models import QuerySet

from core.roles import OFFICE_ROLES, Role
from registrations.models import Business


def business_qs_visible_to(user) -> QuerySet[Business]:
    """Businesses the user may see. Anything outside this queryset is a 404 for them.

    - admin, ministry: every business (the ministry sees no contact data; see selectors)
    - concierge, office lead: businesses in the prefectures their office covers
    - partner: businesses their organisation referred
    - business: their own business
    """
    businesses = Business.objects.all()
    role = user.role if user.is_authenticated else None
    if role in (Role.ADMIN, Role.MINISTRY):
        return businesses
    if role in OFFICE_ROLES and user.organisation_id:
        return businesses.filter(prefecture__office_id=user.organisation_id)
    if role == Role.PARTNER and user.organisation_id:
        return businesses.filter(referred_by_id=user.organisation_id)
    if role == Role.BUSINESS:
        return businesses.filter(contacts__user=user)
    return businesses.none()
