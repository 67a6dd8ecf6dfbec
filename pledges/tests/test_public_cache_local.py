"""Each process keeps its own copies of the public pages it read, valid under the data version they were
read with."""

import pytest
from django.core.cache import cache

from pledges.models import Pledge
from pledges.tests.public_data import published_pledge

pytestmark = pytest.mark.django_db


def drop_shared_pages():
    """Delete every cached page from the shared cache (LocMemCache's keys are ":1:<key>")."""
    keys = [key.split(":", 2)[2] for key in list(cache._cache) if ":public:" in key and "version" not in key]
    assert keys
    cache.delete_many(keys)


@pytest.fixture(autouse=True)
def _local_memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_a_page_read_once_is_served_from_the_process_copy(client, django_assert_num_queries):
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    first = client.get(address).content
    drop_shared_pages()  # only this process's copy is left
    with django_assert_num_queries(0):
        assert client.get(address).content == first
    pledge.title = "Ett nytt namn på löftet"
    pledge.save()  # the version changes: the copy is not used any more
    assert "Ett nytt namn på löftet" in client.get(address).content.decode()


def test_copies_larger_than_the_budget_allows_are_not_kept(client, settings, django_assert_num_queries):
    settings.PUBLIC_CACHE_LOCAL_BYTES = 4_000  # a pledge page is larger than a quarter of that
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    client.get(address)
    drop_shared_pages()
    with django_assert_num_queries(15):  # built again: the pledge page's 14 queries and its stored progress
        assert client.get(address).status_code == 200


def test_a_lost_version_never_brings_back_an_old_copy(client, settings):
    settings.PUBLIC_CACHE_VERSION_SECONDS = 0  # read the version on every request
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    client.get(address)
    Pledge.objects.filter(pk=pledge.pk).update(title="Ändrat utan signal")  # no bump
    cache.clear()  # a flush or an eviction loses the version: a new one is made, never the old number
    assert "Ändrat utan signal" in client.get(address).content.decode()
