"""Reads for the landing pages: each role's page composed from the apps' own selectors."""

from django.utils import timezone

from core import selectors as core_selectors
from core.models import User
from core.roles import Role
from counselling import selectors as case_selectors
from outcomes import selectors as survey_selectors
from registrations import selectors as registration_selectors
from reporting import selectors as reporting_selectors
from support_menus import selectors as menu_selectors

RECENT_LIMIT = 20


def home_context(*, user: User) -> dict:
    role = user.role
    if role == Role.BUSINESS:
        business = registration_selectors.business_own(user=user)
        return {
            "business": business,
            # Without a business (waiting for approval), only what the person typed is shown.
            "contact": registration_selectors.contact_of(user=user) if business is None else None,
            "registrations": registration_selectors.registrations_own(user=user),
            "proposal_batches": (
                menu_selectors.proposal_batches_own(user=user) if business else []
            ),
            "concierges": case_selectors.concierge_contacts_own(user=user) if business else [],
            "surveys": (
                survey_selectors.surveys_own(user=user, today=timezone.localdate())
                if business
                else []
            ),
            "access_requests": (
                len(registration_selectors.pending_contacts(user=user)) if business else 0
            ),
            "deletion_pending": (
                registration_selectors.deletion_request_pending(business=business)
                if business
                else None
            ),
        }
    if role == Role.PARTNER:
        return {
            "organisation": user.organisation,
            "funnel": reporting_selectors.referral_funnel(user=user),
            "referrals": reporting_selectors.referral_progress_list(user=user, limit=RECENT_LIMIT),
        }
    if role in (Role.CONCIERGE, Role.OFFICE_LEAD):
        return {
            **_office_work(user=user),
            "organisation": user.organisation,
            "prefectures": core_selectors.office_prefectures(user=user),
            "registrations": registration_selectors.registration_list_recent(
                user=user, limit=RECENT_LIMIT
            ),
            "registration_count": registration_selectors.registration_count(user=user),
        }
    if role == Role.MINISTRY:
        return {
            "figures": reporting_selectors.program_figures(),
            "region_counts": reporting_selectors.registered_by_region(),
        }
    if role == Role.ADMIN:
        return {
            "figures": reporting_selectors.program_figures(),
            "open_duplicates": registration_selectors.duplicate_flag_queue(user=user).count(),
            "pending_deletions": registration_selectors.deletion_requests_pending_count(),
            "role_counts": core_selectors.user_count_by_role(),
            "outbox_counts": core_selectors.outbox_counts(),
            "menus_confirmation_due": menu_selectors.menu_confirmation_due_count(
                today=timezone.localdate()
            ),
        }
    return {}


def _office_work(*, user: User) -> dict:
    """A concierge's work (overdue, due today, new assignments, surveys answered recently);
    an office lead's queue counts and overdue first contacts."""
    today = timezone.localdate()
    if user.role == Role.CONCIERGE:
        return {
            "today": today,
            "work": case_selectors.concierge_worklist(user=user, today=today),
            "surveys_answered": survey_selectors.surveys_answered_recently(user=user),
        }
    if user.role == Role.OFFICE_LEAD:
        return {
            "today": today,
            "queue_counts": case_selectors.office_queue_counts(user=user, today=today),
            "first_contact_overdue": case_selectors.first_contact_overdue(user=user, today=today),
        }
    return {}
