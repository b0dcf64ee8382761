"""Helpers the page tests share: an English-reading test client, a response's text and messages."""

from django.conf import settings
from django.test import Client


def english_client(user=None) -> Client:
    """A new test client showing the pages in English (the msgids), signed in as ``user`` if given."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
