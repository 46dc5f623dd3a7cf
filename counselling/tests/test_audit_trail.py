"""The audit trail is append-only (issue 13, ADR 0014): a case's status, stage and concierge
change only through the services; the timeline (CaseEvent) and the stage history
(StageChange) cannot be edited or deleted, not from the admin and not in the database."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case, CaseEvent, StageChange
from counselling.services import case_assign, case_open, case_stage_change
from registrations.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, jetro_tokyo):
    """A case with a timeline: registered, assigned, moved to a stage."""
    case = case_open(registration=RegistrationFactory(office=jetro_tokyo))
    lead = users[Role.OFFICE_LEAD]
    case_assign(case=case, concierge=users[Role.CONCIERGE], actor=lead)
    case_stage_change(case=case, stage="preparation", reason="初回面談で確認", actor=lead)
    return case


def test_the_case_admin_does_not_change_status_stage_or_concierge(client, users, case):
    other = UserFactory(role=Role.CONCIERGE, organisation=case.office)
    client.force_login(users[Role.ADMIN])
    url = reverse("admin:counselling_case_change", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200  # the admin looks the case up ...
    assert 'name="status"' not in page.content.decode()  # ... with nothing to edit, and a
    # link to the case page, whose forms call the services
    assert reverse("counselling:case-detail", args=[case.pk]) in page.content.decode()

    response = client.post(url, {
        "registration": case.registration_id, "office": case.office_id,
        "concierge": other.pk, "status": "realised", "stage": "expansion",
        "first_contact_due": "2026-12-01", "close_reason": "", "_save": "Save",
    })  # fmt: skip

    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.status, case.stage, case.concierge) == ("new", "preparation",
                                                         users[Role.CONCIERGE])  # fmt: skip
    assert client.post(reverse("admin:counselling_case_delete", args=[case.pk]),
                       {"post": "yes"}).status_code == 403  # fmt: skip
    assert client.post(reverse("admin:counselling_case_add"), {}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    ("model", "data"),
    [(CaseEvent, {"kind": "status", "summary": "改ざん", "at_0": "2026-01-01", "at_1": "00:00"}),
     (StageChange, {"to_stage": "expansion", "reason": "改ざん"})],
)  # fmt: skip
def test_the_timeline_and_stage_history_are_view_only_in_the_admin(client, users, case, model,
                                                                   data):  # fmt: skip
    row = model.objects.filter(case=case).first()
    before = list(model.objects.values())
    client.force_login(users[Role.ADMIN])
    name = f"admin:counselling_{model._meta.model_name}"

    assert client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
    change = client.post(reverse(f"{name}_change", args=[row.pk]), {"case": case.pk, **data})
    delete = client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"})
    add = client.post(reverse(f"{name}_add"), {"case": case.pk, **data})
    bulk = client.post(
        reverse(f"{name}_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302, 403)
    assert list(model.objects.values()) == before


@pytest.mark.parametrize("table", ["counselling_caseevent", "counselling_stagechange"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET created_at = created_at WHERE case_id = %s",
     "DELETE FROM {table} WHERE case_id = %s"],
)  # fmt: skip
def test_the_database_refuses_to_update_or_delete_audit_rows(case, table, statement):
    if table == "counselling_caseevent":
        statement = statement.replace("created_at", "at")
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table), [case.pk])
    assert CaseEvent.objects.filter(case=case).count() == 3
    assert StageChange.objects.filter(case=case).count() == 1


def test_the_orm_cannot_rewrite_or_delete_them_either(case, users):
    for attempt in (
        lambda: CaseEvent.objects.filter(case=case).update(summary="改ざん"),
        lambda: StageChange.objects.filter(case=case).update(reason="改ざん"),
        lambda: CaseEvent.objects.filter(case=case).delete(),
        lambda: Case.objects.filter(pk=case.pk).delete(),  # the cascade reaches the rows
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    # The people in the trail stay: deleting one is refused before the database is asked.
    with pytest.raises(ProtectedError):
        users[Role.OFFICE_LEAD].delete()
    assert not CaseEvent.objects.filter(summary="改ざん").exists()


def test_erasure_rewrites_only_the_text_and_only_in_its_own_transaction(case):
    from counselling.services import case_history_erase

    secret = "初回面談"
    assert case_history_erase(cases=[case], secrets=[secret], replacement="（削除済み）") == 2
    assert StageChange.objects.get(case=case).reason == "（削除済み）で確認"
    assert not CaseEvent.objects.filter(summary__contains=secret).exists()
    # The flag ended with the erasure: the next write in the same test transaction is refused.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(summary="改ざん")
    # Even under the flag, nothing but the text may change.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL export_support.erasure = 'on'")
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE counselling_caseevent SET kind = 'status' WHERE case_id = %s",
                           [case.pk])  # fmt: skip
