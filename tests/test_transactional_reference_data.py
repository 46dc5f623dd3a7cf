import pytest
from django.contrib.auth.models import Group

from core.models import Prefecture
from core.roles import Role


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("attempt", [1, 2])
def test_transactional_tests_see_the_reference_data_after_a_flush(attempt):
    assert Prefecture.objects.count() == 47
    assert not Prefecture.objects.filter(office__isnull=True).exists()
    assert Group.objects.filter(name__in=list(Role)).count() == len(Role)
    Prefecture.objects.filter(code="13").update(office=None)  # the next attempt must not see this
