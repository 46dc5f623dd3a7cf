import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from stdnum.jp import cn

from core.models import User
from core.roles import Role
from counselling.models import Case, CounsellingSession
from registrations.models import Business, Contact, DuplicateFlag, Registration

pytestmark = pytest.mark.django_db

REQUIRED_ROLES = {"business", "partner", "concierge", "office_lead", "ministry", "admin"}


def seed(tmp_path, n=400, seed=7, **extra):
    logins = tmp_path / "logins.json"
    call_command(
        "seed_demo", businesses=n, seed=seed, password="pw-for-tests-1", logins_json=logins,
        stdout=(tmp_path / "out.txt").open("w"), **extra,
    )  # fmt: skip
    return json.loads(logins.read_text())


def test_seed_creates_businesses_contacts_and_one_login_per_role(tmp_path, client):
    logins = seed(tmp_path)
    assert Business.objects.count() == 400
    assert Contact.objects.count() == 400
    assert {row["role"] for row in logins} >= REQUIRED_ROLES
    for row in logins:
        response = client.post(
            reverse("login"), {"username": row["username"], "password": row["password"]}
        )
        assert response.status_code == 302, row
        assert User.objects.get(username=row["username"]).role == row["role"]
    printed = (tmp_path / "out.txt").read_text()
    assert "Seeded 400 businesses in" in printed
    assert "| demo-ministry" in printed


def test_seeded_data_is_realistic(tmp_path):
    seed(tmp_path, n=2000)
    industries = Counter(Business.objects.values_list("industry_id", flat=True))
    assert 0.35 < industries["E"] / 2000 < 0.45  # about 40% manufacturing
    prefectures = Counter(Business.objects.values_list("prefecture_id", flat=True))
    assert prefectures["13"] > prefectures["31"]  # 東京 registers more than 鳥取
    corporations = Business.objects.filter(entity_type=Business.EntityType.CORPORATION)
    assert all(cn.is_valid(n) for n in corporations.values_list("corporate_number", flat=True))
    assert (
        Business.objects.filter(corporate_number__isnull=True)
        .exclude(entity_type=Business.EntityType.SOLE_PROPRIETOR)
        .count()
        == 0
    )
    assert Business.objects.filter(referred_by__isnull=False).exists()
    # Every business has a registration; a realistic mix of answers and channels.
    assert Registration.objects.count() == 2000
    challenge = Counter(Registration.objects.values_list("challenge_type", flat=True))
    assert challenge.most_common(1)[0][0] == "first_export"
    assert len(challenge) == 5
    channels = Counter(Registration.objects.values_list("channel", flat=True))
    assert channels["partner"] > 0
    assert channels["online"] > channels["partner"]
    assert Registration.objects.filter(status="awaiting_consent").exists()
    assert DuplicateFlag.objects.count() == 20  # 1%
    flag = DuplicateFlag.objects.select_related("business", "candidate").first()
    assert flag.business.name_key == flag.candidate.name_key
    # Every confirmed registration has its case; counselling history to browse.
    confirmed = Registration.objects.exclude(status="awaiting_consent").count()
    assert Case.objects.count() == confirmed
    assert CounsellingSession.objects.count() > confirmed
    assert Case.objects.filter(concierge__username="demo-concierge").exists()
    assert Case.objects.exclude(stage="").filter(stage_changes__isnull=True).count() == 0
    sizes = set(Business.objects.values_list("size_class", flat=True))
    assert {"small", "sme"} <= sizes


def test_the_business_login_sees_a_tokyo_business_and_the_partner_its_referrals(tmp_path):
    seed(tmp_path)
    business_user = User.objects.get(username="demo-business")
    assert business_user.contact.business.prefecture_id == "13"
    partner = User.objects.get(username="demo-partner")
    assert Business.objects.filter(referred_by=partner.organisation).exists()
    assert partner.role == Role.PARTNER


def test_same_seed_gives_the_same_data(tmp_path):
    seed(tmp_path, n=50, seed=11)
    first = list(Business.objects.order_by("id").values_list("name", "corporate_number"))
    DuplicateFlag.objects.all().delete()
    with connection.cursor() as cursor:  # the audit trail refuses DELETE (ADR 0014)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no FK check
        cursor.execute("TRUNCATE counselling_caseevent, counselling_stagechange")
    Case.objects.all().delete()
    Registration.objects.all().delete()
    Contact.objects.all().delete()
    Business.objects.all().delete()
    seed(tmp_path, n=50, seed=11)
    assert list(Business.objects.order_by("id").values_list("name", "corporate_number")) == first


def test_refuses_to_add_to_a_seeded_database_unless_asked_to_only_refresh_logins(tmp_path):
    seed(tmp_path, n=10)
    with pytest.raises(CommandError, match="already has 10 businesses"):
        seed(tmp_path, n=10)
    seed(tmp_path, n=10, if_empty=True)
    assert Business.objects.count() == 10


def test_demo_offices_get_an_example_address_so_mails_reply_to_them(tmp_path):
    from core.models import Organisation

    Organisation.objects.filter(code="jetro-osaka").update(email="osaka@jetro.example")
    seed(tmp_path, n=20)
    offices = Organisation.objects.filter(kind=Organisation.Kind.JETRO_OFFICE)
    assert offices.get(code="jetro-tokyo").email == "jetro-tokyo@example.jp"
    assert offices.get(code="jetro-osaka").email == "osaka@jetro.example"  # never overwritten
    assert not offices.filter(email="").exists()
    assert set(offices.values_list("phone", flat=True)) == {""}  # no number is invented
