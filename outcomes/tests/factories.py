import datetime
import secrets

import factory
from django.utils import timezone

from counselling.tests.factories import CaseFactory
from outcomes.models import Survey


class SurveyFactory(factory.django.DjangoModelFactory):
    """A 6-month survey e-mailed today, open for 60 days."""

    class Meta:
        model = Survey

    case = factory.SubFactory(CaseFactory)
    wave_months = 6
    due_on = factory.LazyFunction(timezone.localdate)
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    token_nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    sent_at = factory.LazyFunction(timezone.now)
