"""The staff dashboard (/hantera/): its latest activities and its follow-up section, and what they cost."""

import datetime
import re

import pytest
from django.urls import reverse

from followup.models import ActivityLog
from followup.selectors import dashboard_followup
from followup.snapshots import current_progress
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
    # the pledges, their municipalities, their police areas, the user's memberships, the user's
    # municipalities, the pledges' commitments, the latest entries
    with django_assert_num_queries(7):
        small = staff_selectors.dashboard(alice)
    for status in (Pledge.Status.DRAFT, Pledge.Status.PUBLISHED, Pledge.Status.ENDED):
        log_everywhere(make_pledge(status=status, areas=3, commitments=4))
    with django_assert_num_queries(7):
        big = staff_selectors.dashboard(alice)
    assert len(small["activities"]) == 1 and len(big["activities"]) == 10
    assert len(big["pledges"]) == 4


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
