"""Reads for registrations, always through the user's scope (registrations.permissions)."""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.models import MetiRegion
from registrations.filters import RegistrationFilter
from registrations.models import Business, Contact, DuplicateFlag, Registration
from registrations.permissions import (
    business_qs_visible_to,
    duplicate_flag_qs_visible_to,
    registration_qs_visible_to,
)

LIST_RELATED = ("business__prefecture", "business__industry", "office", "referred_by", "case")


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


def registration_list_recent(*, user, limit: int) -> list[Registration]:
    return list(
        registration_qs_visible_to(user)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")[:limit]
    )


def registration_count(*, user) -> int:
    return registration_qs_visible_to(user).count()


def registration_list(*, user) -> QuerySet[Registration]:
    """The user's registrations, newest first, with what a list row shows."""
    return (
        registration_qs_visible_to(user)
        .select_related(*LIST_RELATED, "contact")
        .order_by("-created_at", "-id")
    )


def registration_filter(*, user, params) -> RegistrationFilter:
    """The staff list: filters and search over the user's registrations."""
    return RegistrationFilter(params, queryset=registration_list(user=user))


def registration_get(*, user, pk: int) -> Registration:
    queryset = registration_qs_visible_to(user).select_related(
        *LIST_RELATED, "contact", "business__merged_into"
    )
    return get_object_or_404(queryset, pk=pk)


def registration_duplicate_flags(*, registration: Registration) -> list[DuplicateFlag]:
    return list(registration.duplicate_flags.select_related("candidate__prefecture"))


def business_own(*, user) -> Business | None:
    return (
        business_qs_visible_to(user)
        .select_related("prefecture", "industry")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("id")))
        .first()
    )


def registrations_own(*, user) -> list[Registration]:
    return list(
        registration_qs_visible_to(user).select_related("business", "office", "contact", "case")
        .order_by("-created_at")
    )  # fmt: skip


def registration_own_get(*, user, pk: int) -> Registration:
    return get_object_or_404(registration_qs_visible_to(user), pk=pk)


def contact_own(*, user) -> Contact:
    return get_object_or_404(Contact.objects.select_related("business"), user=user)


def duplicate_flag_queue(*, user) -> QuerySet[DuplicateFlag]:
    return (
        duplicate_flag_qs_visible_to(user)
        .filter(status=DuplicateFlag.Status.OPEN)
        .select_related("registration__contact", "business__prefecture", "candidate__prefecture")
        .prefetch_related("candidate__contacts")
        .order_by("-created_at", "-id")
    )


def duplicate_flag_get(*, user, pk: int) -> DuplicateFlag:
    return get_object_or_404(
        duplicate_flag_qs_visible_to(user).select_related("registration", "business", "candidate"),
        pk=pk,
    )
