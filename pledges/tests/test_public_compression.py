"""A whole public page cached for visitors leaves gzip-compressed to browsers that accept it."""

import gzip

import pytest
from django.test import override_settings

from municipalities.tests.factories import UserFactory
from pledges.tests.public_data import published_pledge

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_a_browser_that_accepts_gzip_gets_the_same_page_compressed(client, django_assert_num_queries):
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    plain = client.get(address)
    assert "Content-Encoding" not in plain
    compressed = client.get(address, **GZIP)
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 3
    with django_assert_num_queries(0):  # compressed once, then served from the cache
        assert client.get(address, **GZIP).content == compressed.content


def test_the_compressed_page_shows_a_change_at_once(client):
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    client.get(address, **GZIP)
    pledge.title = "Ett nytt namn på löftet"
    pledge.save()
    assert "Ett nytt namn på löftet" in gzip.decompress(client.get(address, **GZIP).content).decode()


def test_a_logged_in_user_gets_the_page_uncompressed(client):
    pledge = published_pledge()
    client.force_login(UserFactory())
    response = client.get(f"/medborgarloften/{pledge.pk}/", **GZIP)
    assert "Content-Encoding" not in response
    assert pledge.title in response.content.decode()


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_without_a_cache_nothing_is_compressed(client):
    pledge = published_pledge()
    response = client.get(f"/medborgarloften/{pledge.pk}/", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert pledge.title in response.content.decode()
