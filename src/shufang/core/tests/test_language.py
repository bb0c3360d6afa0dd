import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_pages_are_in_simplified_chinese_even_for_an_english_browser():
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/")

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_gives_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/")

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in response.content.decode()
