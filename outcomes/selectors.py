"""Reads for outcomes, through survey_qs_visible_to (staff; a firm its own list) or a signed
link (a firm answering)."""

import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from counselling.models import Case
from outcomes.models import Survey
from outcomes.permissions import survey_qs_visible_to
from outcomes.services import survey_invite_key, survey_reminder_key, survey_token_make
from support_menus.models import SupportMenu


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    bounced: bool  # an e-mail about it failed permanently

    @property
    def reminders(self) -> list[datetime.datetime]:
        """The reminders of the link last sent: a fresh link starts its own, and a survey
        resent before they were reset still holds the old link's (dated before its send)."""
        sent_at = self.survey.sent_at
        return [
            at for at in (self.survey.reminder1_at, self.survey.reminder2_at)
            if at is not None and sent_at is not None and at >= sent_at
        ]  # fmt: skip


def case_surveys(*, case: Case) -> list[SurveyRow]:
    """The case's surveys with their delivery (two queries, whatever their number)."""
    surveys = list(case.surveys.select_related("response").order_by("wave_months"))
    keys = {
        key: survey.pk
        for survey in surveys
        for key in (survey_invite_key(survey), survey_reminder_key(survey, 1),
                    survey_reminder_key(survey, 2))
    }  # fmt: skip
    failed = {
        keys[key]
        for key in OutboundEmail.objects.filter(
            idempotency_key__in=list(keys), status=OutboundEmail.Status.FAILED
        ).values_list("idempotency_key", flat=True)
    } if surveys else set()  # fmt: skip
    return [SurveyRow(survey, survey.pk in failed) for survey in surveys]


ANSWERED_RECENTLY_DAYS = 14


def surveys_answered_recently(*, user, limit: int = 20) -> list[Survey]:
    """The surveys of `user`'s cases answered in the last ANSWERED_RECENTLY_DAYS, the newest
    first (their landing page)."""
    since = timezone.now() - datetime.timedelta(days=ANSWERED_RECENTLY_DAYS)
    return list(
        survey_qs_visible_to(user)
        .filter(case__concierge=user, answered_at__gte=since)
        .select_related("response", "case__registration__business")
        .order_by("-answered_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class OwnSurvey:
    survey: Survey
    answer_path: str  # the e-mailed link's page while the survey is open, else ""


def surveys_own(*, user, today: datetime.date) -> list[OwnSurvey]:
    """The follow-up surveys sent to the signed-in firm (its page), newest first, each with
    the link its e-mail carries while it is open (to answer, or amend the answer)."""
    surveys = (
        survey_qs_visible_to(user)
        .filter(sent_at__isnull=False)
        .select_related("response")
        .order_by("-sent_at", "-pk")
    )
    return [
        OwnSurvey(
            survey,
            reverse("outcomes:answer", args=[survey_token_make(survey)])
            if survey.is_open_on(today)
            else "",
        )  # fmt: skip
        for survey in surveys
    ]


def survey_get(*, user, case: Case, pk: int) -> Survey:
    queryset = survey_qs_visible_to(user).filter(case=case).select_related("response")
    return get_object_or_404(queryset, pk=pk)


def survey_menus(*, survey: Survey):
    """The menus a firm can say it used: those proposed on its case."""
    return SupportMenu.objects.filter(proposals__case_id=survey.case_id).distinct().order_by("name")
