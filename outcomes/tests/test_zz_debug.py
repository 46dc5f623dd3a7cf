import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from outcomes.tests.test_progress_dashboard import PERIOD, world  # noqa
from outcomes.dashboard import progress_cases, _as_at

@pytest.mark.django_db
def test_dbg(world):
    cases = progress_cases(PERIOD)
    with CaptureQueriesContext(connection) as q:
        print(cases.aggregate(**_as_at(PERIOD, end=True)))
    print(q.captured_queries[-1]["sql"])
    print(list(cases.values_list("registration__registered_at", "first_contact_at")))
    assert 0
