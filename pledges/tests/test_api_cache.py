"""The API's JSON and CSV answers are cached whole per data version, address, format and host."""

import pytest

from pledges.tests.public_data import published_pledge

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize(
    ("address", "accept"),
    [
        ("/api/v1/pledges/?buckets=true", "application/json"),
        ("/api/v1/pledges/?format=csv", "*/*"),
        ("/api/v1/municipalities/2417/", "application/json"),
    ],
)
def test_an_answer_is_rendered_once_and_served_again_without_a_query(
    client, address, accept, django_assert_num_queries
):
    published_pledge("2417")
    first = client.get(address, HTTP_ACCEPT=accept)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(address, HTTP_ACCEPT=accept)
    assert (again.status_code, again["Content-Type"], again.content) == (
        first.status_code,
        first["Content-Type"],
        first.content,
    )
    assert "Accept" in again["Vary"]


def test_a_change_shows_at_once(client):
    pledge = published_pledge("2417")
    address = f"/api/v1/pledges/{pledge.pk}/"
    client.get(address, **JSON)
    client.get("/api/v1/pledges/", **JSON)
    pledge.title = "Ett nytt namn på löftet"
    pledge.save()
    assert client.get(address, **JSON).json()["title"] == "Ett nytt namn på löftet"
    assert client.get("/api/v1/pledges/", **JSON).json()["results"][0]["title"] == "Ett nytt namn på löftet"


def test_each_host_gets_its_own_links(client, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    pledge = published_pledge("2417")
    for host in ("a.example", "b.example", "a.example"):
        item = client.get("/api/v1/pledges/", HTTP_HOST=host, **JSON).json()["results"][0]
        assert item["url"] == f"http://{host}/medborgarloften/{pledge.pk}/"


def test_the_browsable_view_is_not_cached(client, django_assert_max_num_queries):
    published_pledge("2417")
    client.get("/api/v1/pledges/", HTTP_ACCEPT="text/html")
    with django_assert_max_num_queries(100) as queries:
        response = client.get("/api/v1/pledges/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    assert len(queries) > 0  # built again: it carries a CSRF token of its own


def test_an_unknown_filter_value_is_a_cached_400_with_its_message(client, django_assert_num_queries):
    first = client.get("/api/v1/pledges/?buckets=perhaps", **JSON)
    assert first.status_code == 400
    with django_assert_num_queries(0):
        again = client.get("/api/v1/pledges/?buckets=perhaps", **JSON)
    assert again.status_code == 400 and again.json() == first.json()
