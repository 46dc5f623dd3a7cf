import datetime

import factory

from counselling.models import Case
from registrations.tests.factories import RegistrationFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    registration = factory.SubFactory(RegistrationFactory)
    office = factory.LazyAttribute(lambda c: c.registration.office)
    first_contact_due = factory.LazyFunction(lambda: datetime.date(2026, 12, 1))
