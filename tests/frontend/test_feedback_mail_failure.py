"""A mail server that is down never turns feedback into a 500: the text stays, the page says so."""

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("connection refused")


def test_feedback_survives_a_mail_server_that_is_down(db, client, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/help/", {"feedback": "The bus stop is far.", "email": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "We could not send your feedback just now." in page
    assert "The bus stop is far." in page
