"""Demo surveys for seed_demo: the 6-month wave on cases whose first proposal is that old,
answered for cases in follow-up or realised (in bulk; no e-mails are queued)."""

import datetime
import random
from collections import defaultdict

from django.db.models import Min
from django.utils import timezone

from counselling.models import Case
from outcomes.models import Survey, SurveyResponse
from outcomes.services import add_months, survey_new
from support_menus.models import Proposal

EFFORTS = [code for code, _label in SurveyResponse.OwnEffort.choices]
FEES = [code for code, _label in SurveyResponse.FeeBand.choices]


# Where demo exports go: mostly Asia, North America and Europe, as in seed 000.
DESTINATIONS = ["CN", "TW", "HK", "SG", "TH", "VN", "KR", "US", "US", "CA", "FR", "DE", "GB",
                "AU", "AE", "SA", "BR", "MX", "ZA"]  # fmt: skip


def _destinations(rng: random.Random, target_country: str) -> list[str]:
    first = target_country or rng.choice(DESTINATIONS)
    second = rng.choice(DESTINATIONS) if rng.random() < 0.3 else first
    return sorted({first, second})


def surveys_seed(*, seed: int) -> int:
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    today = timezone.localdate()
    cases = (
        Case.objects.exclude(status=Case.Status.CLOSED)
        .annotate(first_proposed=Min("proposals__proposed_on"))
        .filter(first_proposed__lte=add_months(today, -6))
        .values_list("pk", "status", "first_proposed", "realised_on", "target_country")
    )
    surveys, answers = [], []
    for pk, status, first, realised_on, target_country in cases:
        due = add_months(first, 6)
        sent = timezone.make_aware(datetime.datetime.combine(due, datetime.time(9)))
        answered = status in (Case.Status.FOLLOW_UP, Case.Status.REALISED) or rng.random() < 0.3
        survey = survey_new(case_id=pk, wave_months=6, due_on=due, sent_at=sent)
        if answered:
            survey.answered_at = sent + datetime.timedelta(days=rng.randint(1, 20))
        elif sent + datetime.timedelta(days=7) <= timezone.now():  # no reminder dated ahead
            survey.reminder1_at = sent + datetime.timedelta(days=7)
        surveys.append(survey)
        if answered:
            realised = status == Case.Status.REALISED
            answers.append((survey, SurveyResponse(
                export_realised="yes" if realised else rng.choice(["no", "negotiating"]),
                first_export_date=realised_on or (due - datetime.timedelta(days=30))
                if realised else None,
                trajectory=rng.choice(["increased", "flat", "decreased"]) if realised else "",
                destinations=_destinations(rng, target_country) if realised else [],
                target_set=(target_set := rng.choice(["yes", "no"])),
                target_achieved=rng.choice(["yes", "no"]) if target_set == "yes" else "",
                own_efforts=rng.sample(EFFORTS, rng.randint(0, 2)), fee_band=rng.choice(FEES),
                source=rng.choice(["web", "web", "phone"]), answered_at=survey.answered_at,
            )))  # fmt: skip
    Survey.objects.bulk_create(surveys, batch_size=5000)
    for survey, answer in answers:
        answer.survey = survey
    SurveyResponse.objects.bulk_create([answer for _survey, answer in answers], batch_size=5000)
    # The menus a firm used: those adopted or completed on its case.
    used = defaultdict(list)
    for case_id, menu_id in Proposal.objects.filter(
        case_id__in=[survey.case_id for survey, _answer in answers],
        status__in=[Proposal.Status.ADOPTED, Proposal.Status.COMPLETED],
    ).values_list("case_id", "menu_id"):
        used[case_id].append(menu_id)
    Through = SurveyResponse.menus_used.through
    Through.objects.bulk_create(
        [Through(surveyresponse_id=answer.pk, supportmenu_id=menu_id)
         for survey, answer in answers for menu_id in used[survey.case_id]],
        batch_size=5000,
    )  # fmt: skip
    return len(surveys)
