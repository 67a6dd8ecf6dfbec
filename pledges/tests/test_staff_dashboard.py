"""The staff dashboard (/hantera/): its latest activities and its follow-up section, and what they cost."""

import datetime
import re

import pytest
from django.urls import reverse

from followup.models import ActivityLog
from followup.selectors import dashboard_followup
from followup.snapshots import current_progress
from municipalities.models import Membership, Municipality
from municipalities.tests.factories import UserFactory, municipality
from pledges import staff_selectors
from pledges.models import Commitment, Pledge
from pledges.tests.staff_data import make_pledge, member

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def alice(client):
    """A kommunpolis of Norsjö, logged in."""
    user = member("kommunpolis", "2417", username="alice")
    client.force_login(user)
    return user


def activity_rows(page):
    """The rows of the latest-activities table as text, one space between cells."""
    start = page.index('id="activities-heading"')
    section = page[start : page.index("</section>", start)]
    rows = re.findall(r"<tr><td>.*?</tr>", section, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_it_lists_the_ten_latest_activities_of_the_users_pledges_newest_first(client, alice):
    running = make_pledge(status=Pledge.Status.PUBLISHED, commitments=2, title="Tryggare Norsjö")
    ended = make_pledge(status=Pledge.Status.ENDED, title="Norsjö förr", period_start=D(2021, 1, 1))
    elsewhere = make_pledge(status=Pledge.Status.PUBLISHED, code="1435", title="Tanums löfte")
    first, second = Commitment.objects.filter(focus_area__pledge=running).order_by("order")
    old = Commitment.objects.get(focus_area__pledge=ended)
    for n in range(11):  # on 1–11 March, quantity = day
        ActivityLog.objects.create(
            commitment=(first, second, old)[n % 3], performed_on=D(2026, 3, n + 1), quantity=n + 1, logged_by=alice
        )
    ActivityLog.objects.create(commitment=second, performed_on=D(2026, 3, 11), quantity=12)  # same day, newer entry
    ActivityLog.objects.create(  # the newest of all, but of a pledge outside Norsjö
        commitment=Commitment.objects.get(focus_area__pledge=elsewhere), performed_on=D(2026, 3, 20), quantity=99
    )

    rows = activity_rows(client.get(reverse("staff:dashboard")).content.decode())

    assert [int(row.split()[-2]) for row in rows] == [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]
    assert rows[0] == "11 mars 2026 Åtagande 1.2 (Tryggare Norsjö) 12 –"
    assert rows[1] == "11 mars 2026 Åtagande 1.2 (Tryggare Norsjö) 11 alice"
    assert rows[2] == "10 mars 2026 Åtagande 1.1 (Tryggare Norsjö) 10 alice"
    assert rows[-1] == "3 mars 2026 Åtagande 1.1 (Norsjö förr) 3 alice"
    assert not any("Tanums löfte" in row for row in rows)


def test_a_user_whose_pledges_have_ended_sees_their_last_activities(client, alice):
    ended = make_pledge(status=Pledge.Status.ENDED, period_start=D(2019, 1, 1), period_end=D(2022, 12, 31))
    elsewhere = make_pledge(status=Pledge.Status.PUBLISHED, code="1435", title="Tanums löfte")
    old = Commitment.objects.get(focus_area__pledge=ended)
    for day in (D(2022, 12, 30), D(2022, 12, 31), D(2019, 1, 1)):
        ActivityLog.objects.create(commitment=old, performed_on=day, quantity=day.day, logged_by=alice)
    newer = Commitment.objects.get(focus_area__pledge=elsewhere)
    for day in range(1, 20):  # newer entries of other municipalities, which the search passes over
        ActivityLog.objects.create(commitment=newer, performed_on=D(2026, 3, day), quantity=1)

    rows = activity_rows(client.get(reverse("staff:dashboard")).content.decode())

    assert [row.split(" Åtagande")[0] for row in rows] == ["31 december 2022", "30 december 2022", "1 januari 2019"]


def test_a_user_without_logged_activities_is_told_so(client, alice):
    make_pledge()  # a draft: its commitment has no entries
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert "Inga aktiviteter registrerade ännu." in page


def test_the_staff_part_runs_the_same_queries_whatever_the_number_of_pledges_and_entries(
    alice, django_assert_num_queries
):
    def log_everywhere(pledge):
        for commitment in Commitment.objects.filter(focus_area__pledge=pledge):
            ActivityLog.objects.create(commitment=commitment, performed_on=D(2026, 3, 1))

    log_everywhere(make_pledge(status=Pledge.Status.PUBLISHED))
    # the user's memberships with their municipalities' names, the pledges with theirs, the pledges'
    # commitments, the latest entries
    with django_assert_num_queries(4):
        small = staff_selectors.dashboard(alice)
    for status in (Pledge.Status.DRAFT, Pledge.Status.PUBLISHED, Pledge.Status.ENDED):
        log_everywhere(make_pledge(status=status, areas=3, commitments=4))
    with django_assert_num_queries(4):
        big = staff_selectors.dashboard(alice)
    assert len(small["activities"]) == 1 and len(big["activities"]) == 10
    assert len(big["pledges"]) == 4


def test_the_whole_page_runs_the_same_queries_whatever_the_number_of_pledges(client, alice, django_assert_num_queries):
    """What the load benchmark measures (bench/http_load.py): the page with its middleware, for a user whose
    session was written within the last minute."""
    make_pledge(status=Pledge.Status.PUBLISHED, commitments=2)
    client.get(reverse("staff:dashboard"))  # today's progress snapshots made
    # the session, the user, the two-factor check; the dashboard's four; the follow-up section's snapshots,
    # focus areas and commitments
    with django_assert_num_queries(10):
        assert client.get(reverse("staff:dashboard")).status_code == 200
    for status in (Pledge.Status.DRAFT, Pledge.Status.SIGNED, Pledge.Status.PUBLISHED):
        make_pledge(status=status, areas=3, commitments=4)
    client.get(reverse("staff:dashboard"))
    with django_assert_num_queries(10):
        page = client.get(reverse("staff:dashboard")).content.decode()
    assert page.count('href="/hantera/medborgarloften/') >= 4


def test_the_follow_up_section_takes_the_pledges_the_dashboard_has_read(alice, django_assert_num_queries):
    older = make_pledge(status=Pledge.Status.PUBLISHED, commitments=2, title="Äldre", period_start=D(2024, 1, 1))
    newer = make_pledge(status=Pledge.Status.SIGNED, commitments=2, title="Nyare", period_start=D(2025, 1, 1))
    make_pledge(status=Pledge.Status.DRAFT, title="Utkast")  # not followed up
    current_progress([older, newer])  # today's snapshots
    pledges = staff_selectors.dashboard(alice)["pledges"]

    # today's snapshots, the focus areas, the commitments; reading the pledges too when not given them
    with django_assert_num_queries(3):
        given = dashboard_followup(alice, pledges=pledges)
    with django_assert_num_queries(4):
        read = dashboard_followup(alice)

    def summary(followup):
        return (
            [p.title for p in followup["active_pledges"]],
            [(p.title, item.commitment.title, bucket.start) for p, item, bucket in followup["not_reported"]],
            [(p.title, item.commitment.title) for p, item in followup["behind_target"]],
        )

    assert summary(given) == summary(read)
    # Nothing was ever logged: every commitment's last closed month is not reported, the newest pledge first.
    assert summary(given)[0] == ["Nyare", "Äldre"]
    assert [(pledge, commitment) for pledge, commitment, _start in summary(given)[1]] == [
        ("Nyare", "Åtagande 1.1"),
        ("Nyare", "Åtagande 1.2"),
        ("Äldre", "Åtagande 1.1"),
        ("Äldre", "Åtagande 1.2"),
    ]


def waiting(page):
    """The items of "Waiting for you" as text."""
    start = page.index('id="todo-heading"')
    section = page[start : page.index("</section>", start)]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in re.findall(r"<li>.*?</li>", section)]


def test_what_waits_depends_on_the_role_that_reaches_each_pledge(client):
    make_pledge(status=Pledge.Status.REVIEW, title="Granskas")
    make_pledge(status=Pledge.Status.SIGNED, title="Undertecknat")
    make_pledge(status=Pledge.Status.DRAFT, title="Utkastet")
    make_pledge(status=Pledge.Status.REVIEW, code="1435", title="Tanums löfte")  # reaches nobody here
    expected = [
        "Att granska och underteckna: Granskas",
        "Att publicera: Undertecknat",
        "Utkast att göra klart och skicka på granskning: Utkastet",
    ]
    for role, items in (
        ("kommunchef", expected),
        ("lokalpolisomradeschef", expected),  # through the police area covering Norsjö
        ("kommunpolis", expected[2:]),  # drafts only: a kommunpolis neither signs nor publishes
        ("lasare", []),
    ):
        client.force_login(member(role))
        assert waiting(client.get(reverse("staff:dashboard")).text) == items, role


def test_a_police_area_chief_is_reached_by_a_pledge_of_the_police_area_itself(client):
    chief = member("lokalpolisomradeschef")
    area = chief.memberships.get().police_area
    pledge = make_pledge(status=Pledge.Status.REVIEW, code="1435", title="Områdets löfte")
    pledge.police_areas.add(area)  # of Tanum, but also of the chief's police area
    client.force_login(chief)
    assert waiting(client.get(reverse("staff:dashboard")).text) == ["Att granska och underteckna: Områdets löfte"]


def test_it_names_the_users_municipalities_and_each_pledges_by_name(client):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED, title="Två kommuners löfte", period_start=D(2026, 1, 1))
    pledge.municipalities.add(municipality("1435"))
    user = member("kommunpolis", "2417")
    Membership.objects.create(user=user, role="lasare", municipality=municipality("1435"))
    Membership.objects.create(user=user, role="samordnare", municipality=municipality("1435"))  # twice: named once
    client.force_login(user)
    page = client.get(reverse("staff:dashboard")).text
    assert re.search(r"Dina kommuner:\s*Norsjö, Tanum\s*</p>", page)
    assert re.search(r"Två kommuners löfte</a>\s*– Norsjö, Tanum,", page)


def test_a_police_area_chief_works_in_the_municipalities_of_the_police_area(client):
    chief = member("lokalpolisomradeschef")
    names = ", ".join(
        chief.memberships.get().police_area.municipalities.order_by("name").values_list("name", flat=True)
    )
    client.force_login(chief)
    assert f"Dina kommuner:\n  {names}\n" in client.get(reverse("staff:dashboard")).text


def test_a_member_through_a_police_area_costs_three_queries_more(django_assert_num_queries):
    chief = member("lokalpolisomradeschef")
    make_pledge(status=Pledge.Status.PUBLISHED)
    # as a municipality's member, and the police area's municipalities, the pledges' police areas, the
    # user's municipalities through the police area
    with django_assert_num_queries(7):
        staff_selectors.dashboard(chief)


def test_a_superuser_works_in_every_municipality_and_is_reached_by_every_pledge(client):
    make_pledge(status=Pledge.Status.REVIEW, code="1435", title="Tanums löfte")
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("staff:dashboard")).text
    names = ", ".join(Municipality.objects.order_by("name").values_list("name", flat=True))
    assert f"Dina kommuner:\n  {names}\n" in page
    assert waiting(page) == ["Att granska och underteckna: Tanums löfte"]  # a superuser holds every role
