"""Reads for registrations, always through the user's scope."""

from django.db.models import Count, Prefetch

from core.models import MetiRegion
from registrations.models import Business, Contact
from registrations.permissions import business_qs_visible_to


def business_list_recent(*, user, limit: int) -> list[Business]:
    return list(
        business_qs_visible_to(user)
        .select_related("prefecture", "industry")
        .order_by("-created_at", "-id")[:limit]
    )


def business_count(*, user) -> int:
    return business_qs_visible_to(user).count()


def business_count_by_region(*, user) -> list[dict]:
    """Businesses per METI region, every region listed (zero where none)."""
    counts = dict(
        business_qs_visible_to(user)
        .values_list("prefecture__region")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"region": region, "label": label, "count": counts.get(region, 0)}
        for region, label in MetiRegion.choices
    ]


def business_own(*, user) -> Business | None:
    return (
        business_qs_visible_to(user)
        .select_related("prefecture", "industry")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("id")))
        .first()
    )
