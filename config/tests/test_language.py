import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_are_swedish_whatever_the_browser_asks_for(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in response.content.decode()


def test_english_is_there_for_whoever_chooses_it(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_swedish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/")["Content-Language"] == "sv"
