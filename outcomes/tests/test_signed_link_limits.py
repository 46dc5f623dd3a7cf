"""Signed links (surveys, consents) opened too often from one address answer 429
(core.views.link_rate_limited)."""

import pytest
from django.urls import reverse

from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_survey_links_opened_too_often_answer_429(client, settings):
    settings.LINK_RATE_LIMIT = "3/m"
    url = reverse("outcomes:answer", args=[survey_token_make(SurveyFactory())])
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "数分待って" in client.get(url).content.decode()
    assert client.get(reverse("registrations:consent", args=["x"])).status_code == 429
