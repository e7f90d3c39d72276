"""The staff audit log: every staff decision leaves one entry, the application cannot change or remove entries, and
`verify_audit_log` names the first entry after a removal or an alteration."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, StaffFactory, SuperuserFactory
from audit.models import AppendOnly, AuditEntry
from audit.services import audit_record
from investors.tests.factories import KycProfileFactory
from projects.models import OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory
from risk import services as risk_services
from risk.models import Case, SubjectType

pytestmark = pytest.mark.django_db

NUMBER = "53010019851024882X"


def actions() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.values_list("actor", "action", "subject_type"))


# Staff decisions leave entries ----------------------------------------------------------------------------------


@pytest.fixture
def superuser(api_client):
    user = SuperuserFactory()
    api_client.force_authenticate(user)
    return user


def test_offering_approval_is_audited(api_client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    response = api_client.post(f"/api/v1/offerings/{offering.pk}/approve/", {"note": "Figures checked."}, format="json")

    assert response.status_code == 200, response.json()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_id, entry.action) == (superuser.username, superuser.pk, "offering_approved")
    assert (entry.subject_type, entry.subject_id) == ("projects.offering", str(offering.pk))
    assert entry.details == {"note": "Figures checked."}


def test_offering_rejection_is_audited(api_client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    api_client.post(f"/api/v1/offerings/{offering.pk}/reject/", {"reason": "Forecast unsupported."}, format="json")

    assert actions() == [(superuser.username, "offering_rejected", "projects.offering")]
    assert AuditEntry.objects.get().details == {"reason": "Forecast unsupported."}


def test_refused_decision_leaves_no_entry(api_client, superuser):
    offering = OfferingFactory(status=OfferingStatus.DRAFT)

    response = api_client.post(f"/api/v1/offerings/{offering.pk}/approve/", {}, format="json")

    assert response.status_code == 409
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("verdict", "action"), [("approve", "kyc_verified"), ("reject", "kyc_rejected")])
def test_kyc_decisions_are_audited(api_client, superuser, verdict, action):
    kyc = KycProfileFactory(review_reason="Provider asked for review.")

    api_client.post(f"/api/v1/kyc/{kyc.user_id}/{verdict}/", {"reason": "Documents checked."}, format="json")

    assert actions() == [(superuser.username, action, "investors.kycprofile")]
    assert AuditEntry.objects.get().subject_id == str(kyc.pk)


def test_risk_case_resolution_is_audited(api_client, superuser):
    offering = OfferingFactory(
        issuer=IssuerFactory(), status=OfferingStatus.IN_REVIEW, summary="本项目保本保收益，稳赚不赔。"
    )
    risk_services.screen_issuer(issuer_id=offering.issuer_id, as_of=timezone.now())
    case = Case.objects.get(subject_type=SubjectType.OFFERING, subject_id=offering.pk)

    api_client.post(
        f"/api/v1/risk/cases/{case.pk}/resolve/", {"outcome": "cleared", "note": "Reworded."}, format="json"
    )

    assert actions() == [(superuser.username, "risk_case_resolved", "risk.case")]
    assert AuditEntry.objects.get().details == {"outcome": "cleared", "note": "Reworded."}


def test_viewing_a_full_identity_number_is_audited(client):
    viewer = SuperuserFactory()
    kyc = KycProfileFactory(id_number=NUMBER)
    client.force_login(viewer)

    change_page = client.get(reverse("admin:investors_kycprofile_change", args=[kyc.pk]))
    entries_after_opening = AuditEntry.objects.count()
    revealed = client.get(reverse("admin:investors_kycprofile_identity_number", args=[kyc.pk]))

    assert NUMBER not in change_page.content.decode()
    assert entries_after_opening == 0
    assert NUMBER in revealed.content.decode()
    assert actions() == [(viewer.username, "identity_number_viewed", "investors.kycprofile")]


def test_staff_without_the_identity_permission_cannot_reveal_and_leave_no_entry(client):
    kyc = KycProfileFactory(id_number=NUMBER)
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_kycprofile"))
    client.force_login(viewer)

    response = client.get(reverse("admin:investors_kycprofile_identity_number", args=[kyc.pk]))

    assert response.status_code == 403
    assert NUMBER not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_role_change_in_the_admin_is_audited_with_before_and_after(client):
    admin_user = SuperuserFactory()
    target = StaffFactory()
    group = Group.objects.create(name="Reviewers of this test")
    client.force_login(admin_user)
    form = client.get(reverse("admin:accounts_user_change", args=[target.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data |= {
        "groups": [group.pk],
        "user_permissions": [],
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "on",
        "date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }

    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject_id) == (admin_user.username, "user_roles_changed", str(target.pk))
    assert entry.details["before"] == {"is_staff": True, "is_superuser": False, "groups": [], "permissions": []}
    assert entry.details["after"]["groups"] == ["Reviewers of this test"]
    assert entry.details["after"]["is_superuser"] is True


# The log cannot be edited; tampering is detected ------------------------------------------------------------------


@pytest.fixture
def log():
    subject = InvestorFactory()
    actor = SuperuserFactory()
    return [audit_record(actor=actor, action=f"action_{n}", subject=subject, details={"n": n}) for n in range(4)]


def test_entries_are_chained(log):
    assert log[0].previous_hash == "0" * 64
    assert [entry.previous_hash for entry in log[1:]] == [entry.entry_hash for entry in log[:-1]]


def test_application_cannot_change_or_remove_entries(log):
    with pytest.raises(AppendOnly):
        log[1].save()
    with pytest.raises(AppendOnly):
        log[1].delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=log[1].pk).update(action="nothing")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()

    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["action_0", "action_1", "action_2", "action_3"]


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"])
def test_database_refuses_updates_and_deletes(log, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEntry.objects.count() == 4


def tamper(sql: str, params: list) -> None:
    """What someone with the database owner's rights could still do: switch the trigger off and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_verify_passes_on_an_untouched_log(log, capsys):
    call_command("verify_audit_log", expect_head=log[-1].entry_hash)

    assert f"4 entries, head {log[-1].entry_hash}" in capsys.readouterr().out


def test_verify_names_the_entry_after_a_deleted_one(log):
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [log[1].pk])

    with pytest.raises(CommandError, match=rf"Audit entry {log[2].pk} \(action_2 .*removed or altered"):
        call_command("verify_audit_log")


def test_verify_names_an_altered_entry(log):
    tamper("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 99}', log[2].pk])

    with pytest.raises(CommandError, match=rf"Audit entry {log[2].pk} \(action_2 .*altered"):
        call_command("verify_audit_log")


def test_verify_notices_removed_newest_entries_against_a_recorded_head(log):
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [log[-1].pk])

    with pytest.raises(CommandError, match="no longer in the chain"):
        call_command("verify_audit_log", expect_head=log[-1].entry_hash)


@pytest.mark.django_db(transaction=True)
def test_verify_exits_non_zero_from_the_command_line(log):
    import subprocess
    import sys

    tamper("DELETE FROM audit_auditentry WHERE id = %s", [log[0].pk])
    database = connection.settings_dict

    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env=_environment_for(database),
        timeout=120,
    )

    assert result.returncode != 0
    assert f"Audit entry {log[1].pk}" in result.stderr


def _environment_for(database: dict) -> dict:
    import os

    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return os.environ | {"DATABASE_URL": url}


# The app stands alone --------------------------------------------------------------------------------------------


def test_audit_app_imports_no_domain_app():
    domain_apps = {"accounts", "projects", "investors", "ledger", "risk"}
    imported = set()
    for source in Path(__file__).resolve().parents[1].rglob("*.py"):
        if "tests" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)

    assert not imported & domain_apps
