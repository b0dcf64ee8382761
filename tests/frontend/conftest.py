"""Fixtures the page tests share: the test client signed in and reading the pages in English."""

import pytest
from django.conf import settings

from .helpers import english_client


@pytest.fixture
def as_user(client):
    """The test client signed in as ``user`` (anonymous for None), reading the pages in English.
    The language cookie is set again on every call, so it also holds after ``client.logout()``
    (which drops every cookie)."""

    def sign_in(user):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def browse():
    """A new English-reading test client per call, signed in as ``user`` if given."""
    return english_client
