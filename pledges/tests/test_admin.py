import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "municipalities", "dialogues", "pledges", "followup"}
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in PROJECT_APPS
)


@pytest.fixture
def superuser_client(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(User.objects.get(username="admin"))
    return client


def test_every_model_of_the_domain_is_in_the_admin():
    assert {f"{app}.{model}" for app, model in REGISTERED} >= {
        "accounts.user", "municipalities.policeregion", "municipalities.policearea", "municipalities.municipality",
        "municipalities.organisation", "municipalities.membership", "dialogues.dialogue", "dialogues.finding",
        "dialogues.place", "pledges.pledge", "pledges.focusarea", "pledges.commitment", "pledges.signatory",
        "followup.activitylog", "followup.indicator", "followup.evaluation",
    }  # fmt: skip


@pytest.mark.parametrize(("app", "model"), REGISTERED, ids=[f"{a}.{m}" for a, m in REGISTERED])
def test_each_admin_list_searches_and_opens_a_row(superuser_client, app, model, django_assert_max_num_queries):
    url = reverse(f"admin:{app}_{model}_changelist")
    # session, user, the page's count and rows, filters: bounded whatever the data size
    with django_assert_max_num_queries(25):
        response = superuser_client.get(url)
    assert response.status_code == 200
    assert superuser_client.get(url, {"q": "Norsjö"}).status_code == 200
    row = response.context["cl"].result_list[:1]
    if row:
        change = superuser_client.get(reverse(f"admin:{app}_{model}_change", args=[row[0].pk]))
        assert change.status_code == 200


def test_the_pledge_admin_shows_history(superuser_client):
    from pledges.models import Pledge

    pledge = Pledge.objects.get(external_id="norsjo-2019-2022")
    response = superuser_client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk]))
    assert response.status_code == 200
    assert "Norsjö" in response.content.decode()
