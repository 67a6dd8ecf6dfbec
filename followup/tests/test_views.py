"""Follow-up pages in the staff area, as kommunpolis, samordnare, läsare and outsiders use them."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from followup import services
from followup.models import ActivityLog, MissedPeriod, Reminder
from municipalities.models import Membership, Organisation
from municipalities.tests.factories import UserFactory, municipality
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.date.today()


def member(role, code="2417"):
    user = UserFactory()
    Membership.objects.create(user=user, role=role, municipality=municipality(code))
    return user


@pytest.fixture
def pledge():
    pledge = PledgeFactory(period_start=D(TODAY.year - 1, 1, 1), period_end=D(TODAY.year + 1, 12, 31))
    pledge.municipalities.add(municipality("2417"))
    return pledge


@pytest.fixture
def controls(pledge):
    police = Organisation.objects.get_or_create(name="Polisen", kind="police")[0]
    return CommitmentFactory(
        focus_area=FocusAreaFactory(pledge=pledge, title="Trafik"),
        key="trafikkontroller",
        title="Trafikkontroller",
        quantity=10,
        unit="month",
        responsible=[police],
    )


@pytest.fixture
def officer():
    return member("kommunpolis")


def post_log(client, pledge, data):
    return client.post(reverse("followup:activity_create", args=[pledge.pk]), data)


def valid_entry(for_commitment, **changes):
    return {
        "commitment": for_commitment.pk,
        "performed_on": TODAY.isoformat(),
        "quantity": 3,
        "hours_spent": "2.5",
        "note": "Hastighet",
    } | changes


def test_it_logs_an_activity_and_shows_it_on_the_follow_up_page(client, pledge, controls, officer):
    client.force_login(officer)
    response = post_log(client, pledge, valid_entry(controls))
    assert response.status_code == 302
    log = ActivityLog.objects.get()
    assert (log.quantity, log.logged_by, str(log.hours_spent)) == (3, officer, "2.50")
    page = client.get(reverse("followup:pledge", args=[pledge.pk])).content.decode()
    assert "Trafikkontroller" in page
    assert "minst 10 per månad" in page
    assert "Hastighet" in page


def test_zero_is_a_report_that_nothing_was_done(client, pledge, controls, officer):
    client.force_login(officer)
    post_log(client, pledge, valid_entry(controls, quantity=0))
    assert ActivityLog.objects.get().quantity == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": -1}, "quantity", "större än eller lika med 0"),
        ({"quantity": "tre"}, "quantity", "Fyll i ett heltal"),
        ({"performed_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "performed_on", "framtiden"),
        ({"performed_on": D(TODAY.year - 2, 6, 1).isoformat()}, "performed_on", "inom perioden"),
        ({"performed_on": "14/3 2025"}, "performed_on", "Fyll i ett giltigt datum"),
        ({"commitment": 999999}, "commitment", "Välj ett giltigt alternativ"),
    ],
)
def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(
    client, pledge, controls, officer, changes, field, message
):
    client.force_login(officer)
    response = post_log(client, pledge, valid_entry(controls, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ActivityLog.objects.exists()
    # the user's input is shown again
    assert "Hastighet" in response.content.decode()


def test_a_commitment_of_another_municipality_cannot_be_logged_through_this_pledge(client, pledge, controls, officer):
    other = PledgeFactory()
    other.municipalities.add(municipality("1435"))
    foreign = CommitmentFactory(focus_area=FocusAreaFactory(pledge=other))
    client.force_login(officer)
    response = post_log(client, pledge, valid_entry(foreign))
    assert "commitment" in response.context["form"].errors
    assert not ActivityLog.objects.exists()
    # and that pledge's own pages do not exist for this user
    assert client.post(reverse("followup:activity_create", args=[other.pk]), valid_entry(foreign)).status_code == 404
    assert client.get(reverse("followup:pledge", args=[other.pk])).status_code == 404


def test_a_reader_sees_the_follow_up_but_cannot_log(client, pledge, controls):
    client.force_login(member("lasare"))
    assert client.get(reverse("followup:pledge", args=[pledge.pk])).status_code == 200
    assert post_log(client, pledge, valid_entry(controls)).status_code == 403
    assert not ActivityLog.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, pledge):
    response = client.get(reverse("followup:pledge", args=[pledge.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_own_entries_can_be_changed_and_deleted_with_history_kept(client, pledge, controls, officer):
    log = services.activity_log_create(user=officer, commitment=controls, performed_on=TODAY, quantity=2)
    client.force_login(officer)
    response = client.post(reverse("followup:activity_edit", args=[log.pk]), valid_entry(controls, quantity=5))
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.quantity == 5
    assert client.get(reverse("followup:activity_delete", args=[log.pk])).status_code == 200  # confirmation
    client.post(reverse("followup:activity_delete", args=[log.pk]))
    assert not ActivityLog.objects.exists()
    assert [h.history_type for h in ActivityLog.history.filter(id=log.pk).order_by("history_id")] == ["+", "~", "-"]


def test_someone_elses_entry_cannot_be_changed_by_a_colleague_but_by_a_chief(client, pledge, controls, officer):
    log = services.activity_log_create(user=officer, commitment=controls, performed_on=TODAY, quantity=2)
    client.force_login(member("samordnare"))
    assert client.post(reverse("followup:activity_edit", args=[log.pk]), valid_entry(controls)).status_code == 403
    assert client.post(reverse("followup:activity_delete", args=[log.pk])).status_code == 403
    client.force_login(member("kommunchef"))
    assert (
        client.post(reverse("followup:activity_edit", args=[log.pk]), valid_entry(controls, quantity=7)).status_code
        == 302
    )
    log.refresh_from_db()
    assert log.quantity == 7


def upload(client, pledge, content: bytes, name="aktiviteter.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("followup:activities_upload", args=[pledge.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_a_csv_file_from_excel_is_logged_whole(client, pledge, controls, officer):
    client.force_login(officer)
    day = TODAY.replace(day=1).isoformat()
    content = (
        "commitment;date;quantity;hours;note\n"
        f"trafikkontroller;{day};3;1,5;Hastighet på Storgatan\n"
        f"{controls.pk};{day};0;;Inget gjort – snöoväder\n"
    )
    response = upload(client, pledge, content.encode("cp1252"))
    assert response.status_code == 302
    logs = ActivityLog.objects.order_by("quantity")
    assert [(log.quantity, log.note, log.logged_by) for log in logs] == [
        (0, "Inget gjort – snöoväder", officer),
        (3, "Hastighet på Storgatan", officer),
    ]
    assert str(logs[1].hours_spent) == "1.50"
    assert ActivityLog.history.count() == 2


def test_a_utf8_file_with_commas_is_read_too(client, pledge, controls, officer):
    client.force_login(officer)
    content = f"\ufeffcommitment,date,quantity\ntrafikkontroller,{TODAY.isoformat()},2\n"
    assert upload(client, pledge, content.encode("utf-8")).status_code == 302
    assert ActivityLog.objects.get().quantity == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kommitment;datum;antal\ntrafikkontroller;2025-01-01;1\n", "Första raden måste namnge kolumnerna"),
        ("commitment;date;quantity\nokand;{today};1\n", "Rad 2, kolumn commitment: okänt åtagande 'okand'"),
        ("commitment;date;quantity\ntrafikkontroller;14/3;1\n", "Rad 2, kolumn date: '14/3' är inget datum"),
        (
            "commitment;date;quantity\ntrafikkontroller;{today};-2\n",
            "Rad 2, kolumn quantity: Antalet gånger kan inte vara negativt",
        ),
        ("commitment;date;quantity\ntrafikkontroller;{today};x\n", "Rad 2, kolumn quantity: 'x' är inget heltal"),
        ("commitment;date;quantity\ntrafikkontroller;{future};1\n", "Rad 2, kolumn date: Datumet ligger i framtiden"),
        (
            "commitment;date;quantity\ntrafikkontroller;{today};1\ntrafikkontroller;{today};-1\n",
            "Rad 3, kolumn quantity",
        ),
    ],
)
def test_a_bad_csv_file_saves_nothing_and_names_row_and_column(client, pledge, controls, officer, content, message):
    client.force_login(officer)
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = upload(client, pledge, content.format(today=TODAY.isoformat(), future=future).encode())
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ActivityLog.objects.exists()


def test_a_commitment_id_of_another_pledge_is_unknown_in_a_csv(client, pledge, controls, officer):
    foreign = CommitmentFactory()
    client.force_login(officer)
    response = upload(client, pledge, f"commitment;date;quantity\n{foreign.pk};{TODAY};1\n".encode())
    assert "okänt åtagande" in response.content.decode()
    assert not ActivityLog.objects.exists()


def test_a_missed_period_gets_a_reason_shown_on_the_follow_up_page(client, pledge, controls, officer):
    january = D(TODAY.year - 1, 1, 1)
    services.activity_log_create(user=officer, commitment=controls, performed_on=D(TODAY.year - 1, 1, 15), quantity=4)
    client.force_login(officer)
    url = reverse("followup:missed_period", args=[controls.pk, january.isoformat()])
    response = client.post(url, {"reason": "other", "reason_text": "", "corrective_action": ""})
    assert "reason_text" in response.context["form"].errors
    assert not MissedPeriod.objects.exists()
    client.post(url, {"reason": "lack_of_staff", "reason_text": "", "corrective_action": "Fler pass i februari"})
    missed = MissedPeriod.objects.get()
    assert (missed.period_start, missed.period_end) == (january, D(TODAY.year - 1, 1, 31))
    page = client.get(reverse("followup:pledge", args=[pledge.pk])).content.decode()
    assert "Personalbrist" in page
    assert "Fler pass i februari" in page
    # a period that was met, or that is not a period of the commitment, has no reason page
    assert client.get(reverse("followup:missed_period", args=[controls.pk, "2099-01-01"])).status_code == 404
    assert client.get(reverse("followup:missed_period", args=[controls.pk, "januari"])).status_code == 404


def test_the_follow_up_page_runs_a_fixed_number_of_queries(
    client, pledge, controls, officer, django_assert_max_num_queries
):
    for _n in range(12):
        commitment = CommitmentFactory(focus_area=FocusAreaFactory(pledge=pledge), quantity=1, unit="week")
        for week in range(20):
            ActivityLog.objects.create(
                commitment=commitment, performed_on=D(TODAY.year - 1, 1, 3) + datetime.timedelta(weeks=week)
            )
    client.force_login(officer)
    # session, user, pledge, its municipalities, the user's roles (×2: view, log), focus areas,
    # commitments, sums, missed periods, indicators (+values), latest entries, messages
    with django_assert_max_num_queries(16):
        response = client.get(reverse("followup:pledge", args=[pledge.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<svg") >= 13


def test_reminders_go_once_to_the_responsible_users(pledge, controls, officer, mailoutbox):
    member("samordnare")  # municipal staff: not responsible for a police commitment
    pledge.status = "published"
    pledge.save()
    officer.email = "kim@example.org"
    officer.save()
    today = D(TODAY.year, 3, 2)
    # February closed without a single entry; January has one.
    ActivityLog.objects.create(commitment=controls, performed_on=D(TODAY.year, 1, 10), quantity=12)
    assert services.reminders_send(today=today) == 1
    assert mail.outbox[0].to == ["kim@example.org"]
    assert "Trafikkontroller" in mail.outbox[0].subject
    assert f"1 februari {TODAY.year} – 28 februari {TODAY.year}" in mail.outbox[0].body.lower()
    assert services.reminders_send(today=today) == 0  # no duplicate
    assert Reminder.objects.count() == 1


def test_the_dashboard_lists_not_reported_periods_first_then_commitments_behind_target(
    client, pledge, controls, officer
):
    pledge.status = "published"
    pledge.save()
    police = Organisation.objects.get(name="Polisen")
    area = controls.focus_area
    silent = CommitmentFactory(
        focus_area=area, key="dorr", title="Dörrknackning", quantity=1, unit="month", responsible=[police]
    )
    walks = CommitmentFactory(
        focus_area=area, key="vandring", title="Trygghetsvandring", quantity=2, unit="year", responsible=[police]
    )
    ActivityLog.objects.create(commitment=walks, performed_on=D(TODAY.year - 1, 5, 1), quantity=2)
    # Traffic controls every month since the start: enough in the first month, too few since.
    month = D(TODAY.year - 1, 1, 10)
    while month < TODAY.replace(day=1):
        ActivityLog.objects.create(commitment=controls, performed_on=month, quantity=12 if month.month == 1 else 3)
        month = (month + datetime.timedelta(days=31)).replace(day=10)
    client.force_login(officer)
    page = client.get(reverse("staff:dashboard")).content.decode()
    followup = page[page.index('id="followup-heading"') :]
    not_reported = followup[: followup.index("Efter målet")]
    behind = followup[followup.index("Efter målet") :]
    assert silent.title in not_reported
    assert "Trafikkontroller" in behind and "Trafikkontroller" not in not_reported
    assert "Trygghetsvandring" not in followup
