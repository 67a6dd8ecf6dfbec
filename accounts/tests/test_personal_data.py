"""Personal data on request: export everything about a user or a signatory, erase (pseudonymise) it, keep
signed agreements as public records; through the service, the command and the admin."""

import datetime
import io
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import personal_data
from accounts.models import AuditEvent, User
from followup.models import ActivityLog
from municipalities.models import Membership
from municipalities.tests.factories import OrganisationFactory, UserFactory, municipality
from pledges.models import AgreementDocument, Pledge, Signatory
from pledges.tests.staff_data import make_pledge

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
PASSWORD = "ett-langt-losenord-1"
TODAY = datetime.date.today()


@pytest.fixture
def alice():
    """A kommunchef who is also samordnare in Norsjö: she signs, logs activities and has a history."""
    user = UserFactory(
        username="alice", first_name="Alice", last_name="Ekström", email="alice.ekstrom@example.org", password=PASSWORD
    )
    for role in ("kommunchef", "samordnare"):
        Membership.objects.create(user=user, role=role, municipality=municipality("2417"))
    return user


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def pledge():
    """In review, with a period around today, ready to be signed."""
    return make_pledge(
        status=Pledge.Status.REVIEW,
        period_start=datetime.date(TODAY.year - 1, 1, 1),
        period_end=datetime.date(TODAY.year + 1, 12, 31),
    )


def log_in(client, username="alice", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.10")


def sign(client, pledge, name="Kai Kommunchef"):
    police = OrganisationFactory(name="Polisen")
    data = {
        "signed_on": TODAY.isoformat(),
        "signed_place": "Norsjö",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-0-name": name,
        "signatories-0-title": "kommunchef",
        "signatories-0-organisation": str(police.pk),
        "signatories-0-signed_on": TODAY.isoformat(),
        "signatories-0-signed_place": "Norsjö",
    }
    response = client.post(reverse("staff:pledge_sign", args=[pledge.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def log_activity(client, pledge, note="Kontroll vid skolan"):
    commitment = pledge.focus_areas.get().commitments.get()
    data = {"commitment": commitment.pk, "performed_on": TODAY.isoformat(), "quantity": 3, "note": note}
    response = client.post(reverse("followup:activity_create", args=[pledge.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ActivityLog.objects.get(note=note)


def read(document):
    with document.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def busy_alice(client, alice, pledge):
    """Alice logged in, signed the pledge (its agreement PDF is made) and logged an activity: she is everywhere."""
    assert log_in(client).status_code == 302
    sign(client, pledge)
    log = log_activity(client, pledge)
    return alice, pledge, log


# --- export --------------------------------------------------------------------------------------------


def test_the_export_holds_memberships_audit_events_activities_and_history(busy_alice):
    alice, pledge, log = busy_alice
    data = personal_data.export_user(alice)
    assert json.loads(json.dumps(data)) == data  # JSON as it is

    assert data["konto"]["användarnamn"] == "alice"
    assert data["konto"]["e-post"] == "alice.ekstrom@example.org"
    assert "password" not in json.dumps(data) and alice.password not in json.dumps(data)
    assert sorted((m["roll"], m["kommunkod"]) for m in data["medlemskap"]) == [
        ("Kommunchef", "2417"),
        ("Samordnare", "2417"),
    ]
    kinds = {event["kod"] for event in data["händelselogg"]}
    assert {Action.LOGIN, Action.ROLE_GRANTED, Action.STATUS_CHANGED} <= kinds
    login = next(event for event in data["händelselogg"] if event["kod"] == Action.LOGIN)
    assert login["från_adress"] == "192.0.2.10"
    assert [(a["id"], a["anteckning"], a["antal"]) for a in data["aktiviteter"]] == [(log.pk, "Kontroll vid skolan", 3)]
    assert [s["till"] for s in data["statusändringar"]] == ["signed"]
    assert [d["sha256"] for d in data["överenskommelser"]] == [AgreementDocument.objects.get(pledge=pledge).checksum]
    history = {(h["objekttyp"], h["objekt_id"], h["händelse"]) for h in data["ändringshistorik"]}
    assert ("followup.ActivityLog", log.pk, "skapad") in history
    assert ("pledges.Pledge", pledge.pk, "ändrad") in history
    assert [row["användarnamn"] for row in data["inloggningsförsök"]] == ["alice"]
    assert len(data["sessioner"]) == 1
    assert AuditEvent.objects.filter(action=Action.DATA_EXPORTED, object_id=str(alice.pk)).count() == 1


def test_the_export_names_pledges_where_the_user_is_contact_person(alice):
    pledge = make_pledge(contact_name="Alice Ekström", contact_email="ALICE.EKSTROM@example.org")
    data = personal_data.export_user(alice)
    assert [p["medborgarlöfte"] for p in data["kontaktperson_för"]] == [pledge.pk]


def test_every_relation_to_the_user_has_a_decision():
    """A new foreign key to the user must be exported and handled on erasure: list it in USER_REFERENCES."""
    undecided = []
    for relation in User._meta.related_objects:
        model = relation.related_model
        if hasattr(model, "instance_type"):  # django-simple-history: exported as ändringshistorik
            continue
        if model._meta.app_label.startswith("otp_"):  # django-otp's devices: exported and deleted
            continue
        label = f"{model._meta.app_label}.{model._meta.object_name}.{relation.field.name}"
        if label not in personal_data.USER_REFERENCES and not relation.many_to_many:
            undecided.append(label)
    assert undecided == []


# --- erasure of a user ---------------------------------------------------------------------------------


def test_erasure_leaves_nothing_of_the_person_in_the_user_row_and_keeps_the_records(client, busy_alice, admin_user):
    alice, pledge, log = busy_alice
    document = AgreementDocument.objects.get(pledge=pledge)
    pdf_before, checksum_before = read(document), document.checksum
    history_before = ActivityLog.history.filter(id=log.pk).count()

    result = personal_data.erase_user(alice, by=admin_user)

    alice.refresh_from_db()
    assert result.pseudonym == alice.username == f"raderad-{alice.pk}"
    row = " ".join(str(getattr(alice, field.attname)) for field in User._meta.concrete_fields).lower()
    for trace in ("alice", "ekström", "example.org"):
        assert trace not in row
    assert not alice.has_usable_password()
    assert (alice.is_active, alice.is_staff, alice.is_superuser) == (False, False, False)
    assert not Membership.objects.filter(user=alice).exists()

    # The session she had is over, and she can no longer log in.
    assert result.sessions == 1
    assert [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(alice.pk)] == []
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(reverse("login"))

    # The records stay, pointing at the pseudonym; the signed agreement is untouched.
    log.refresh_from_db()
    assert (log.logged_by_id, log.note, log.quantity) == (alice.pk, "Kontroll vid skolan", 3)
    assert ActivityLog.history.filter(id=log.pk, history_user=alice).count() == history_before
    document.refresh_from_db()
    assert read(document) == pdf_before
    assert document.checksum == checksum_before == __import__("hashlib").sha256(pdf_before).hexdigest()
    assert document.created_by_id == alice.pk

    # No copy of her username is left in the audit trail or the login records.
    assert not AuditEvent.objects.filter(username__iexact="alice").exists()
    assert not AuditEvent.objects.filter(detail__startswith="alice:").exists()
    assert not AccessLog.objects.filter(username__iexact="alice").exists()
    assert AuditEvent.objects.filter(user=alice, action=Action.LOGIN, username=alice.username).exists()
    erased = AuditEvent.objects.get(action=Action.DATA_ERASED)
    assert (erased.user, erased.object_id) == (admin_user, str(alice.pk))

    # Her old username and password no longer log anyone in (the attempt is recorded, as any other).
    response = log_in(client)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_erasure_is_one_transaction(alice, admin_user, monkeypatch):
    def broken(user):
        raise RuntimeError("the session store is down")

    monkeypatch.setattr(personal_data, "_user_sessions", broken)
    with pytest.raises(RuntimeError):
        personal_data.erase_user(alice, by=admin_user)
    alice.refresh_from_db()
    assert (alice.username, alice.email, alice.is_active) == ("alice", "alice.ekstrom@example.org", True)
    assert Membership.objects.filter(user=alice).count() == 2
    assert not AuditEvent.objects.filter(action=Action.DATA_ERASED).exists()


def test_nobody_erases_their_own_account(alice):
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.erase_user(alice, by=alice)
    alice.refresh_from_db()
    assert alice.username == "alice"


def test_erasure_removes_two_factor_devices(alice):
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        pytest.skip("django-otp's TOTP devices are not installed")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=alice, name="Telefon", confirmed=True)
    assert [d["namn"] for d in personal_data.export_user(alice)["tvåfaktorenheter"]] == ["Telefon"]
    assert personal_data.erase_user(alice).devices == 1
    assert not TOTPDevice.objects.filter(user=alice).exists()


# --- signatories ---------------------------------------------------------------------------------------


def test_a_signatory_of_a_signed_agreement_is_refused_as_a_public_record(client, busy_alice):
    _alice, pledge, _log = busy_alice
    document = AgreementDocument.objects.get(pledge=pledge)
    pdf_before = read(document)
    with pytest.raises(personal_data.PublicRecordError) as refused:
        personal_data.erase_signatory("kai kommunchef")
    assert "allmän handling" in str(refused.value) and str(pledge.pk) in str(refused.value)
    assert Signatory.objects.get(pledge=pledge).name == "Kai Kommunchef"
    assert read(document) == pdf_before
    assert not AuditEvent.objects.filter(action=Action.DATA_ERASED).exists()


def test_a_signatory_of_a_draft_is_pseudonymised():
    draft = make_pledge(status=Pledge.Status.DRAFT)
    police = OrganisationFactory(name="Polisen")
    signatory = Signatory.objects.create(
        pledge=draft, name="Berit Bergström", title="kommunchef", organisation=police, signed_place="Norsjö"
    )
    result = personal_data.erase_signatory("  berit   BERGSTRÖM ")
    signatory.refresh_from_db()
    assert result.erased == [signatory.pk]
    assert signatory.name == f"raderad-undertecknare-{signatory.pk}"
    assert (signatory.title, signatory.signed_place) == ("kommunchef", "")
    assert not Signatory.objects.filter(name__icontains="Bergström").exists()
    assert AuditEvent.objects.filter(action=Action.DATA_ERASED, detail__contains=str(signatory.pk)).exists()


def test_drafts_only_erases_the_drafts_and_keeps_the_signed_agreement(client, busy_alice):
    _alice, signed, _log = busy_alice
    draft = make_pledge(status=Pledge.Status.DRAFT)
    police = OrganisationFactory(name="Polisen")
    on_draft = Signatory.objects.create(pledge=draft, name="Kai Kommunchef", title="kommunchef", organisation=police)
    result = personal_data.erase_signatory("Kai Kommunchef", drafts_only=True)
    assert result.erased == [on_draft.pk]
    assert result.kept == [(Signatory.objects.get(pledge=signed).pk, signed.pk)]
    assert Signatory.objects.get(pledge=signed).name == "Kai Kommunchef"


def test_a_withdrawn_pledge_that_was_signed_stays_a_public_record(client, busy_alice):
    _alice, pledge, _log = busy_alice
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.WITHDRAWN)
    with pytest.raises(personal_data.PublicRecordError):
        personal_data.erase_signatory("Kai Kommunchef")


def test_the_signatory_export_lists_rows_and_mentions_in_free_text(client, busy_alice):
    _alice, signed, _log = busy_alice
    draft = make_pledge(
        status=Pledge.Status.DRAFT, background="Kai Kommunchef berättade om läget vid stationen i våras."
    )
    data = personal_data.export_signatory("KAI KOMMUNCHEF")
    assert json.loads(json.dumps(data)) == data
    assert [(row["medborgarlöfte"], row["allmän_handling"]) for row in data["undertecknare"]] == [(signed.pk, True)]
    mention = next(m for m in data["omnämnanden"] if not m["historik"])
    assert (mention["medborgarlöfte"], mention["fält"]) == (draft.pk, "Pledge.background")
    assert "Kai Kommunchef berättade" in mention["utdrag"]
    assert AuditEvent.objects.filter(action=Action.DATA_EXPORTED).exists()


# --- the command ---------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("personal_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_exports_a_user_to_a_file_only_its_owner_reads(alice, tmp_path):
    target = tmp_path / "alice.json"
    _out, err = run("export", "--user", "alice", "--output", str(target))
    assert "Personuppgifterna är skrivna till" in err
    assert json.loads(target.read_text(encoding="utf-8"))["konto"]["användarnamn"] == "alice"
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_the_command_exports_a_signatory_to_standard_output(client, busy_alice):
    out, _err = run("export", "--signatory", "Kai Kommunchef")
    assert json.loads(out)["undertecknare"][0]["namn"] == "Kai Kommunchef"


def test_the_command_erases_a_user_only_with_yes(alice):
    with pytest.raises(CommandError, match=r"kan inte ångras.*--yes") as refused:
        run("erase", "--user", "alice")
    assert refused.value.returncode == 1
    assert User.objects.filter(username="alice").exists()
    out, _err = run("erase", "--user", "alice", "--yes")
    assert f"raderad-{alice.pk}" in out and "2 medlemskap togs bort" in out
    assert not User.objects.filter(username="alice").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--user", "nobody"], "Det finns ingen användare med användarnamnet “nobody”"),
        (["erase", "--user", "nobody", "--yes"], "Det finns ingen användare med användarnamnet “nobody”"),
        (["export", "--signatory", "Ingen Alls"], "Inget är lagrat om en undertecknare som heter “Ingen Alls”"),
        (["erase", "--signatory", "Ingen Alls", "--yes"], "Ingen undertecknare heter “Ingen Alls”"),
        (["export"], "Ange antingen --user ANVÄNDARNAMN eller --signatory NAMN"),
        (["erase", "--user", "a", "--signatory", "b", "--yes"], "Ange antingen --user"),
    ],
)
def test_the_command_refuses_unknown_people_in_swedish(args, message):
    with pytest.raises(CommandError, match=message) as refused:
        run(*args)
    assert refused.value.returncode == 1


def test_the_command_refuses_a_signatory_of_a_signed_agreement(client, busy_alice):
    with pytest.raises(CommandError, match="allmän handling"):
        run("erase", "--signatory", "Kai Kommunchef", "--yes")
    assert Signatory.objects.filter(name="Kai Kommunchef").exists()


def test_the_command_exits_non_zero_with_the_message_on_standard_error():
    """As an operator runs it: a real process, its exit code and what it prints."""
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
    }
    for args, message in (
        (["export", "--user", "nobody"], "Det finns ingen användare med användarnamnet “nobody”."),
        (["erase", "--user", "nobody"], "Raderingen kan inte ångras: lägg till --yes för att bekräfta."),
    ):
        process = subprocess.run(
            [sys.executable, "manage.py", "personal_data", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert process.returncode == 1, process.stderr
        assert message in process.stderr
        assert process.stdout == ""


# --- the admin -----------------------------------------------------------------------------------------


def changelist():
    return reverse("admin:accounts_user_changelist")


def test_a_superuser_downloads_the_export_from_the_admin(client, alice, admin_user):
    client.force_login(admin_user)
    assert "Exportera personuppgifter" in client.get(changelist()).content.decode()
    response = client.post(changelist(), {"action": "export_personal_data", "_selected_action": [alice.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="personuppgifter-alice.json"'
    assert json.loads(response.content)["konto"]["e-post"] == "alice.ekstrom@example.org"
    event = AuditEvent.objects.get(action=Action.DATA_EXPORTED)
    assert (event.user, event.object_id) == (admin_user, str(alice.pk))


def test_a_superuser_pseudonymises_after_confirming(client, alice, admin_user):
    client.force_login(admin_user)
    confirm = client.post(changelist(), {"action": "pseudonymise", "_selected_action": [alice.pk]})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Alice Ekström" in page and 'name="post" value="yes"' in page
    alice.refresh_from_db()
    assert alice.username == "alice"  # nothing yet

    done = client.post(changelist(), {"action": "pseudonymise", "_selected_action": [alice.pk], "post": "yes"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.username == f"raderad-{alice.pk}"
    assert f"raderad-{alice.pk}" in client.get(done["Location"]).content.decode()


def test_a_superuser_cannot_pseudonymise_themself(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        changelist(), {"action": "pseudonymise", "_selected_action": [admin_user.pk], "post": "yes"}, follow=True
    )
    assert "Du kan inte radera ditt eget konto" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.username == "root"


def test_staff_who_are_not_superusers_get_403(client, alice):
    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="accounts", codename__endswith="_user")
    )
    client.force_login(staff)
    page = client.get(changelist())
    assert page.status_code == 200
    assert "Exportera personuppgifter" not in page.content.decode()
    assert "Pseudonymisera" not in page.content.decode()
    for action in ("export_personal_data", "pseudonymise"):
        response = client.post(changelist(), {"action": action, "_selected_action": [alice.pk], "post": "yes"})
        assert response.status_code == 403, action
    alice.refresh_from_db()
    assert alice.username == "alice"
    assert not AuditEvent.objects.filter(action__in=[Action.DATA_EXPORTED, Action.DATA_ERASED]).exists()


def test_the_export_runs_the_same_number_of_queries_however_much_is_stored(client, busy_alice, pledge):
    alice, _pledge, _log = busy_alice
    # 1 groups, 2 memberships, 3 audit events, 4 activity logs, 5 missed periods, 6 status changes, 7 amendments,
    # 8 agreement documents, 9-13 the five history tables, 14 reminders, 15 form keys, 16 the admin's log,
    # 17-19 django-axes' three tables, one per django-otp device kind (20 TOTP, 21 static), 22 sessions,
    # 23 pledges naming her as contact, 24 same-name signatories, 25 the audit event of the export
    with CaptureQueriesContext(connection) as few:
        personal_data.export_user(alice)
    assert len(few) <= 26
    for n in range(4):
        log_activity(client, pledge, note=f"Kontroll {n}")
    Membership.objects.create(user=alice, role="lasare", municipality=municipality("1442"))
    with CaptureQueriesContext(connection) as many:
        personal_data.export_user(alice)
    assert len(many) == len(few)
