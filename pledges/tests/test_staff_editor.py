import datetime

import pytest
from django.urls import reverse

from dialogues.models import Finding
from municipalities.models import Membership, Organisation
from municipalities.tests.factories import municipality
from pledges.models import Amendment, Commitment, Pledge, StatusChange
from pledges.services import pledges_end_expired
from pledges.tests.staff_data import form_data, make_dialogue, make_pledge, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    """A kommunpolis of Norsjö, logged in."""
    user = member("kommunpolis", "2417", username="alice")
    client.force_login(user)
    return user


def _create_data(client, **overrides):
    response = client.get(reverse("staff:pledge_create"))
    data = form_data(response.context["form"], response.context["formset"])
    data.update(
        {
            "title": "Tryggare Norsjö",
            "municipalities": [str(municipality("2417").pk)],
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
            "areas-0-title": "Trafik",
            "areas-0-theme": "traffic",
            "areas-0-kind": "pledge",
            "areas-1-title": "Narkotika",
            "areas-1-theme": "narcotics",
            "areas-1-kind": "pledge",
        }
    )
    data.update(overrides)
    return data


def test_it_creates_a_draft_with_focus_areas(client, alice):
    response = client.post(reverse("staff:pledge_create"), _create_data(client))
    pledge = Pledge.objects.get(title="Tryggare Norsjö")
    assert response.status_code == 302
    assert pledge.status == Pledge.Status.DRAFT
    assert [a.title for a in pledge.focus_areas.all()] == ["Trafik", "Narkotika"]
    assert pledge.history.first().history_user == alice


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Det här fältet är obligatoriskt."),
        ({"period_end": "2025-01-01"}, "period_end", ""),
        ({"title": "x" * 201}, "title", "201"),
        ({"municipalities": [str(1)]}, "municipalities", ""),
    ],
)
def test_it_shows_bad_input_again_at_the_field(client, alice, overrides, field, message):
    tanum = municipality("1435")
    if field == "municipalities":
        overrides = {"municipalities": [str(tanum.pk)]}  # a tampered id of a municipality that is not hers
    data = _create_data(client, **overrides)
    response = client.post(reverse("staff:pledge_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'aria-describedby="id_{field}_' in response.text or "invalid-feedback" in response.text
    assert message in response.text
    assert not Pledge.objects.exists()


def _commitment_data(client, pledge, area, **fields):
    url = reverse("staff:focus_area_edit", kwargs={"pk": pledge.pk, "area_pk": area.pk})
    response = client.get(url)
    data = form_data(response.context["page_form"], response.context["formset"])
    index = response.context["formset"].initial_form_count()
    data.update({f"commitments-{index}-{name}": value for name, value in fields.items()})
    return url, data


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-3"}, "quantity"),
        ({"due_month": "10", "unit": "month"}, "due_month"),
        ({"responsible": ["999999"]}, "responsible"),
        ({"title": ""}, "title"),
    ],
)
def test_it_rejects_bad_commitments_without_saving(client, alice, fields, error_field):
    pledge = make_pledge(areas=1, commitments=0)
    area = pledge.focus_areas.get()
    good = {
        "title": "Trafikkontroller",
        "target_kind": "quantity",
        "comparison": "at_least",
        "quantity": "2",
        "interval": "1",
        "unit": "year",
    }
    url, data = _commitment_data(client, pledge, area, **{**good, **fields})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors[error_field]
    assert not Commitment.objects.exists()
    pledge.refresh_from_db()
    assert pledge.version == 1


def test_it_saves_structured_targets_and_shows_them_in_swedish(client, alice):
    pledge = make_pledge(areas=1, commitments=0)
    area = pledge.focus_areas.get()
    url, data = _commitment_data(
        client,
        pledge,
        area,
        title="Besöka fritidsgården",
        target_kind="quantity",
        comparison="at_least",
        quantity="1",
        interval="3",
        unit="week",
        wording="Var tredje helg besöka fritidsgården",
        new_responsible="Fritidsgården",
    )
    assert client.post(url, data).status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.target_display() == "minst 1 per 3 veckor"
    assert [o.name for o in commitment.responsible.all()] == ["Fritidsgården"]
    assert Organisation.objects.get(name="Fritidsgården").municipality.code == "2417"
    page = client.get(reverse("staff:pledge_detail", kwargs={"pk": pledge.pk})).text
    assert "minst 1 per 3 veckor" in page and "Var tredje helg besöka fritidsgården" in page


def test_no_number_targets_drop_the_starting_values(client, alice):
    pledge = make_pledge(areas=1, commitments=0)
    area = pledge.focus_areas.get()
    url, data = _commitment_data(client, pledge, area, title="Närvaro", target_kind="continuous", quantity="5")
    assert client.post(url, data).status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.quantity, commitment.comparison, commitment.interval) == (None, "", None)


def test_two_editors_cannot_overwrite_each_other(client, django_user_model):
    from django.test import Client

    pledge = make_pledge(background="Gammal lägesbild")
    alice, bob = member("kommunpolis", username="alice"), member("samordnare", username="bob")
    bob.first_name, bob.last_name = "Bo", "Samordnare"
    bob.save()
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    url = reverse("staff:pledge_edit", kwargs={"pk": pledge.pk})
    alice_get, bob_get = alice_client.get(url), bob_client.get(url)
    alice_data = form_data(alice_get.context["form"], alice_get.context["formset"])
    bob_data = form_data(bob_get.context["form"], bob_get.context["formset"])
    assert bob_client.post(url, {**bob_data, "background": "Bos lägesbild"}).status_code == 302
    response = alice_client.post(url, {**alice_data, "title": "Alices titel"})
    assert response.status_code == 200
    assert "Bo Samordnare" in response.text and "bakgrund (lägesbild)" in response.text.lower()
    assert 'value="Alices titel"' in response.text  # her input is shown again
    pledge.refresh_from_db()
    assert (pledge.title, pledge.background) == ("Medborgarlöfte 0", "Bos lägesbild") or pledge.title != "Alices titel"
    assert pledge.background == "Bos lägesbild"
    # Saving again, having seen the message, is a conscious choice and goes through.
    again = form_data(response.context["form"], response.context["formset"])
    assert alice_client.post(url, again).status_code == 302
    pledge.refresh_from_db()
    assert pledge.title == "Alices titel"


def test_the_workflow_records_who_and_when_and_freezes_the_signed_pledge(client):
    pledge = make_pledge()
    police = Organisation.objects.get(name="Polisen")
    polis, chef = member("kommunpolis", username="polis"), member("kommunchef", username="chef")
    client.force_login(polis)
    assert client.post(reverse("staff:pledge_transition", args=[pledge.pk, "review"])).status_code == 302
    assert client.get(reverse("staff:pledge_sign", args=[pledge.pk])).status_code == 403
    client.force_login(chef)
    sign = {
        "signed_on": "2026-01-15",
        "signed_place": "Norsjö",
        "signatories-TOTAL_FORMS": "3",
        "signatories-INITIAL_FORMS": "0",
        "signatories-0-name": "Kai Kommunchef",
        "signatories-0-title": "kommunchef",
        "signatories-0-organisation": str(police.pk),
    }
    assert client.post(reverse("staff:pledge_sign", args=[pledge.pk]), sign).status_code == 302
    assert client.post(reverse("staff:pledge_transition", args=[pledge.pk, "publish"])).status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.PUBLISHED
    assert [(s.to_status, s.changed_by) for s in StatusChange.objects.filter(pledge=pledge)] == [
        ("review", polis),
        ("signed", chef),
        ("published", chef),
    ]
    assert pledge.signatories.get().name == "Kai Kommunchef"
    # After signing, an edit without a reason is refused; with one it is an amendment.
    client.force_login(polis)
    url = reverse("staff:pledge_edit", args=[pledge.pk])
    data = form_data(client.get(url).context["form"], client.get(url).context["formset"])
    response = client.post(url, {**data, "title": "Nytt namn"})
    assert response.status_code == 200 and response.context["form"].errors["amendment_reason"]
    response = client.post(url, {**data, "title": "Nytt namn", "amendment_reason": "Namnet var fel"})
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert (amendment.reason, amendment.created_by) == ("Namnet var fel", polis)
    history = client.get(reverse("staff:pledge_history", args=[pledge.pk])).text
    assert "Namnet var fel" in history and "Nytt namn" in history


def test_a_step_the_status_does_not_allow_is_refused_with_a_message(client):
    pledge = make_pledge(status=Pledge.Status.DRAFT)
    client.force_login(member("kommunchef"))
    response = client.post(reverse("staff:pledge_transition", args=[pledge.pk, "publish"]), follow=True)
    assert "inte möjligt" in response.text
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.DRAFT
    assert client.get(reverse("staff:pledge_transition", args=[pledge.pk, "nonsense"])).status_code == 404


def test_published_pledges_end_after_their_end_date():
    pledge = make_pledge(status=Pledge.Status.PUBLISHED, period_end=datetime.date(2025, 12, 31))
    assert pledges_end_expired(today=datetime.date(2026, 1, 1)) == 1
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ENDED
    assert pledge.status_changes.get().changed_by is None


def test_next_period_copies_and_shows_what_changed(client, alice):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED, areas=2, commitments=2)
    response = client.post(reverse("staff:pledge_next_period", args=[pledge.pk]), follow=True)
    new = Pledge.objects.get(previous_pledge=pledge)
    assert new.status == Pledge.Status.DRAFT
    assert new.period_start == pledge.period_end + datetime.timedelta(days=1)
    assert Commitment.objects.filter(focus_area__pledge=new).count() == 4
    assert "oförändrat" in response.text
    commitment = Commitment.objects.filter(focus_area__pledge=new).first()
    commitment.quantity = 20
    commitment.save()
    page = client.get(reverse("staff:pledge_compare", args=[new.pk])).text
    assert "minst 10 per månad → minst 20 per månad" in page


def test_focus_areas_link_to_findings_and_the_trace_page_shows_them(client, alice):
    pledge = make_pledge()
    dialogue = make_dialogue("2417", findings=2)
    other = make_dialogue("1435", findings=1)
    url = reverse("staff:pledge_edit", args=[pledge.pk])
    response = client.get(url)
    data = form_data(response.context["form"], response.context["formset"])
    finding = dialogue.findings.first()
    foreign = Finding.objects.get(dialogue=other)
    response = client.post(url, {**data, "areas-0-findings": [str(foreign.pk)]})
    assert response.status_code == 200  # a finding of another municipality is not a valid choice
    response = client.post(url, {**data, "areas-0-findings": [str(finding.pk)], "dialogues": [str(dialogue.pk)]})
    assert response.status_code == 302
    trace = client.get(reverse("staff:pledge_trace", args=[pledge.pk])).text
    assert finding.text in trace and "Åtagande 1.1" in trace


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        # Every count includes the two-factor check of the logged-in user (accounts/two_factor.py).
        # 11 for the staff part, and the follow-up section: active pledges, today's progress snapshots, and
        # for pledges without a fresh one their focus areas, commitments, logged sums, missed-period
        # reasons and storing the snapshots
        ("dashboard", 19),
        ("pledge_list", 9),
        ("pledge_detail", 19),
        ("pledge_edit", 19),
        ("focus_area_edit", 13),
        ("pledge_history", 13),
        ("pledge_trace", 12),
        ("dialogue_list", 7),
        ("dialogue_detail", 10),
    ],
)
def test_staff_pages_run_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries, name, limit):
    def url_for(pledge, dialogue):
        if name in ("dashboard", "pledge_list", "dialogue_list"):
            return reverse(f"staff:{name}")
        if name == "dialogue_detail":
            return reverse("staff:dialogue_detail", args=[dialogue.pk])
        if name == "focus_area_edit":
            return reverse("staff:focus_area_edit", args=[pledge.pk, pledge.focus_areas.first().pk])
        return reverse(f"staff:{name}", args=[pledge.pk])

    small = make_pledge(areas=1, commitments=1)
    small_dialogue = make_dialogue(findings=1)
    with django_assert_max_num_queries(limit):
        assert client.get(url_for(small, small_dialogue)).status_code == 200
    # Many more pledges, focus areas, commitments, findings: the same number of queries.
    for _n in range(4):
        big = make_pledge(areas=4, commitments=5)
        make_pledge(status=Pledge.Status.PUBLISHED, areas=4, commitments=5)  # followed up on the dashboard
    big_dialogue = make_dialogue(findings=8)
    with django_assert_max_num_queries(limit):
        assert client.get(url_for(big, big_dialogue)).status_code == 200


def test_a_pledge_cannot_be_created_for_a_municipality_where_one_only_reads(client):
    user = member("kommunpolis", "2417")
    Membership.objects.create(user=user, role="lasare", municipality=municipality("1435"))
    client.force_login(user)
    response = client.get(reverse("staff:pledge_create"))
    choices = {m.code for m in response.context["form"].fields["municipalities"].queryset}
    assert choices == {"2417"}
    data = form_data(response.context["form"], response.context["formset"])
    data.update(
        title="Tanums löfte",
        period_start="2026-01-01",
        period_end="2026-12-31",
        municipalities=[str(municipality("1435").pk)],
    )
    response = client.post(reverse("staff:pledge_create"), data)
    assert response.status_code == 200
    assert "municipalities" in response.context["form"].errors
    assert not Pledge.objects.filter(title="Tanums löfte").exists()
