"""Reads for counselling, always through case_qs_visible_to."""

import datetime
from dataclasses import dataclass

import django_filters
from django.db.models import Case as SqlCase
from django.db.models import Count, DateField, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import YesNoFilter
from core.models import IndustryDivision, Prefecture, User
from core.roles import OFFICE_ROLES
from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag, Stage, StageChange
from counselling.permissions import case_qs_visible_to
from registrations.filters import registration_search_q
from registrations.permissions import registration_qs_visible_to

CASE_ROW = (
    "registration__business__prefecture", "registration__business__industry", "concierge",
)  # fmt: skip


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search (name, kana, reference)"), method="search")
    mine = YesNoFilter(label=_("Assigned to me"), method="only_mine")
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, label=_("Status"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    overdue = YesNoFilter(label=_("Overdue"), method="only_overdue")
    prefecture = django_filters.ModelChoiceFilter(
        field_name="registration__business__prefecture", queryset=Prefecture.objects.all(),
        label=_("Prefecture"),
    )  # fmt: skip
    industry = django_filters.ModelChoiceFilter(
        field_name="registration__business__industry", queryset=IndustryDivision.objects.all(),
        label=_("Industry"),
    )  # fmt: skip

    class Meta:
        model = Case
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(registration_search_q(value, prefix="registration__"))

    def only_mine(self, queryset, name, value):
        mine = Q(concierge=self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def only_overdue(self, queryset, name, value):
        return queryset.filter(case_overdue_q()) if value else queryset.exclude(case_overdue_q())


def case_overdue_q() -> Q:
    """Open cases past their first-contact due date without a contact, or past their next
    action's due date."""
    today = timezone.localdate()
    return Q(status__in=Case.OPEN_STATUSES) & (
        Q(first_contact_at__isnull=True, first_contact_due__lt=today) | Q(next_action_due__lt=today)
    )


def case_due() -> SqlCase:
    """What an open case has due first: its next action, or its first contact while none is
    recorded, whichever is earlier. Nothing (NULL) for a case with neither, or not open."""
    waiting = Q(status__in=Case.OPEN_STATUSES, first_contact_at__isnull=True)
    return SqlCase(
        When(waiting & Q(next_action_due__isnull=True), then=F("first_contact_due")),
        When(waiting, then=Least("next_action_due", "first_contact_due")),
        When(status__in=Case.OPEN_STATUSES, then=F("next_action_due")),
        default=Value(None), output_field=DateField(),
    )  # fmt: skip


def case_filter(*, request) -> CaseFilter:
    """The workspace list: sorted by what is due first (case_due: the next action or an
    awaited first contact, overdue ones first), then cases with nothing due."""
    queryset = (
        case_qs_visible_to(request.user)
        .select_related(*CASE_ROW, "menu_ranking__top_menu")
        .annotate(due=case_due())
        .order_by(F("due").asc(nulls_last=True), "first_contact_due", "id")
    )
    params = request.GET.copy()
    if "mine" not in params and request.user.role not in ("office_lead", "admin"):
        params["mine"] = "true"
    return CaseFilter(params, queryset=queryset, request=request)


WORKLIST_LIMIT = 20


def concierge_worklist(*, user, today: datetime.date) -> dict[str, list[Case]]:
    """A concierge's work on their landing page, in one query: their open cases that are
    overdue (first contact or next action), due today, and the new assignments (not contacted
    yet, not overdue). Each list the most urgent first, at most WORKLIST_LIMIT."""
    cases = (
        case_qs_visible_to(user)
        .filter(concierge=user, status__in=Case.OPEN_STATUSES)
        .filter(Q(first_contact_at__isnull=True) | Q(next_action_due__lte=today))
        .select_related("registration__business")
        .order_by(F("next_action_due").asc(nulls_last=True), "first_contact_due", "id")
    )
    work: dict[str, list[Case]] = {"overdue": [], "due_today": [], "new": []}
    for case in cases:
        first_contact_due = case.first_contact_at is None and case.first_contact_due
        if (first_contact_due and first_contact_due < today) or (
            case.next_action_due and case.next_action_due < today
        ):
            key = "overdue"
        elif first_contact_due == today or case.next_action_due == today:
            key = "due_today"
        else:
            key = "new"
        work[key].append(case)
    return {key: rows[:WORKLIST_LIMIT] for key, rows in work.items()}


def office_queue_counts(*, user, today: datetime.date) -> dict[str, int]:
    """The office lead's counts (one query): unassigned open cases, those of them past their
    first-contact date, all open cases past their first-contact date, and next actions due
    today or overdue."""
    no_contact = Q(status__in=Case.OPEN_STATUSES, first_contact_at__isnull=True)
    overdue = no_contact & Q(first_contact_due__lt=today)
    unassigned = Q(status__in=Case.OPEN_STATUSES, concierge__isnull=True)
    return case_qs_visible_to(user).aggregate(
        unassigned=Count("pk", filter=unassigned),
        unassigned_overdue=Count("pk", filter=unassigned & overdue),
        first_contact_overdue=Count("pk", filter=overdue),
        next_action_due=Count(
            "pk", filter=Q(status__in=Case.OPEN_STATUSES, next_action_due__lte=today)
        ),
    )  # fmt: skip


def first_contact_overdue(*, user, today: datetime.date) -> list[Case]:
    """The office's open cases past their first-contact date without a contact, the oldest
    first (at most WORKLIST_LIMIT)."""
    return list(
        case_qs_visible_to(user)
        .filter(status__in=Case.OPEN_STATUSES, first_contact_at__isnull=True,
                first_contact_due__lt=today)
        .select_related("registration__business", "concierge")
        .order_by("first_contact_due", "id")[:WORKLIST_LIMIT]
    )  # fmt: skip


def case_queue(*, user) -> QuerySet[Case]:
    """The office queue: open cases nobody has taken yet, the most urgent first."""
    return (
        case_qs_visible_to(user)
        .filter(concierge__isnull=True, status__in=Case.OPEN_STATUSES)
        .select_related(*CASE_ROW)
        .order_by("first_contact_due", "id")
    )


def case_queue_by_ids(*, user, ids: list[int]) -> list[Case]:
    return list(case_queue(user=user).filter(pk__in=ids))


def office_concierges(*, user) -> QuerySet[User]:
    """The people of `user`'s office who take cases, each with `open_cases` (their caseload)."""
    return (
        User.objects.filter(
            organisation_id=user.organisation_id, is_active=True,
            groups__name__in=[role.value for role in OFFICE_ROLES],
        )
        .distinct()
        .annotate(open_cases=Count(
            "cases", filter=Q(cases__status__in=Case.OPEN_STATUSES), distinct=True,
        ))
        .order_by("last_name", "first_name")
    )  # fmt: skip


def case_get(*, user, pk: int) -> Case:
    queryset = case_qs_visible_to(user).select_related(
        *CASE_ROW, "registration__contact", "registration__referred_by", "office",
        "registration__business__merged_into",
    )  # fmt: skip
    return get_object_or_404(queryset, pk=pk)


def case_page_data(*, case: Case) -> dict:
    """What the case page shows besides the case itself, in a fixed number of queries."""
    return {
        "events": list(case.events.select_related("actor").order_by("-at", "-id")),
        "sessions": list(
            case.sessions.select_related("created_by").prefetch_related(
                Prefetch("tags", queryset=IssueTag.objects.order_by("order", "code"))
            )
        ),
        "flags": list(case.registration.duplicate_flags.select_related("candidate__prefecture")),
    }


# The activity stream's filters: each names the timeline kinds it shows; "session" also shows
# the sessions themselves (their timeline line is the session, shown once).
ACTIVITY_FILTERS = {
    "session": (_("Sessions"), {CaseEvent.Kind.SESSION_CORRECTED}),
    "email": (_("E-mails"), {CaseEvent.Kind.EMAIL}),
    "stage": (_("Stage changes"), {CaseEvent.Kind.STAGE}),
    "status": (_("Status changes"), {CaseEvent.Kind.STATUS}),
    "proposal": (_("Proposals"), {CaseEvent.Kind.PROPOSAL}),
    "next_action": (_("Next actions"), {CaseEvent.Kind.NEXT_ACTION}),
    "survey": (_("Surveys"), {CaseEvent.Kind.SURVEY}),
}


def activity_filter_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _kinds) in ACTIVITY_FILTERS.items()]


@dataclass(frozen=True)
class Activity:
    """One line of the case's activity stream: a session, or a timeline event."""

    at: datetime.datetime
    event: CaseEvent | None = None
    session: CounsellingSession | None = None


def activity_stream(*, events, sessions, kind: str = "") -> list[Activity]:
    """Sessions and the timeline (e-mails, stage and status changes, proposals, surveys' mails
    and results) together, newest first; `kind` (a key of ACTIVITY_FILTERS) keeps one kind.
    A session's own timeline line is left out: the session is shown instead."""
    kinds = ACTIVITY_FILTERS[kind][1] if kind in ACTIVITY_FILTERS else None
    items = [
        Activity(at=event.at, event=event)
        for event in events
        if event.kind != CaseEvent.Kind.SESSION and (kinds is None or event.kind in kinds)
    ]
    if kinds is None or kind == "session":
        items += [Activity(at=session.held_at, session=session) for session in sessions]
    return sorted(items, key=lambda item: item.at, reverse=True)


def session_get(*, user, case_pk: int, pk: int) -> CounsellingSession:
    """A session of a case `user` may see (404 otherwise)."""
    case = case_get(user=user, pk=case_pk)
    session = get_object_or_404(case.sessions.prefetch_related("tags"), pk=pk)
    session.case = case
    return session


NO_CONTACT_DAYS = 60
SUPPORT_REVIEW_AFTER_DAYS = 365


def reminder_cases(*, today) -> list[tuple[User, list[Case], list[Case]]]:
    """Per concierge with reminders on: (user, cases whose next action is due by tomorrow or
    overdue, open cases with no contact for NO_CONTACT_DAYS). Two queries in all."""
    tomorrow = today + datetime.timedelta(days=1)
    silent_since = timezone.now() - datetime.timedelta(days=NO_CONTACT_DAYS)
    cases = (
        Case.objects.filter(
            status__in=Case.OPEN_STATUSES, concierge__is_active=True,
            concierge__case_reminders=True,
        )
        .filter(Q(next_action_due__lte=tomorrow) | Q(last_contact_at__lt=silent_since)
                | Q(last_contact_at__isnull=True, created_at__lt=silent_since))
        .select_related("concierge", "registration__business")
        .order_by("concierge_id", "next_action_due", "id")
    )  # fmt: skip
    grouped: dict[int, tuple[User, list[Case], list[Case]]] = {}
    for case in cases:
        user, due, silent = grouped.setdefault(case.concierge_id, (case.concierge, [], []))
        if case.next_action_due and case.next_action_due <= tomorrow:
            due.append(case)
        else:
            silent.append(case)
    return list(grouped.values())


def support_review_due(*, user) -> QuerySet[Case]:
    """Cases in support for over a year without stage progress, not reviewed within a year:
    shown to the office lead for a decision."""
    year_ago = timezone.now() - datetime.timedelta(days=SUPPORT_REVIEW_AFTER_DAYS)
    return (
        case_qs_visible_to(user)
        .filter(status=Case.Status.SUPPORT, support_started_at__lt=year_ago)
        .filter(Q(stage_changed_at__isnull=True) | Q(stage_changed_at__lte=F("support_started_at")))
        .filter(Q(support_reviewed_at__isnull=True) | Q(support_reviewed_at__lt=year_ago))
        .select_related(*CASE_ROW)
        .order_by("support_started_at", "id")
    )


def case_history_matches(*, cases, texts) -> int:
    """How many lines of these cases' timeline and stage history contain one of `texts`
    (what anonymising rewrites, through services.case_history_erase)."""
    if not texts:
        return 0
    count = 0
    for model, column in ((CaseEvent, "summary"), (StageChange, "reason")):
        query = Q()
        for text in texts:
            query |= Q(**{f"{column}__contains": text})
        count += model.objects.filter(query, case__in=cases).count()
    return count


@dataclass(frozen=True)
class ConciergeContact:
    """Who a firm reaches about its case: its concierge (blank until one is assigned) and the
    JETRO office's phone and e-mail (blank when the office has none recorded)."""

    name: str
    office: str
    phone: str
    email: str


def concierge_contacts_own(*, user) -> list[ConciergeContact]:
    """Who the signed-in firm reaches about each of its cases (its page), newest first."""
    cases = (
        Case.objects.filter(registration__in=registration_qs_visible_to(user))
        .select_related("concierge", "office")
        .order_by("-registration__created_at", "-pk")
    )
    return [concierge_contact(case) for case in cases]


def concierge_contact(case: Case) -> ConciergeContact:
    """For the firm's page and its e-mails; needs case.concierge and case.office (select them
    with the case)."""
    return ConciergeContact(
        name=case.concierge.get_full_name() if case.concierge else "",
        office=case.office.name,
        phone=case.office.phone,
        email=case.office.email,
    )
