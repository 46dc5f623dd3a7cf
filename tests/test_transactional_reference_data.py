import pytest

from core.models import Prefecture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("attempt", [1, 2])
def test_transactional_tests_see_the_reference_data(attempt):
    assert Prefecture.objects.count() == 47
