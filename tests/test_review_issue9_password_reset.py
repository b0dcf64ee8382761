"""Review of issue 9's password reset: choosing a new password from the e-mailed link ends every
other way in, API tokens included, and one address cannot be flooded with reset e-mails by
changing the requesting address."""

import re

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from frontend.throttling import PageRateThrottle

from . import factories as f
from .frontend.helpers import english_client

# The reset page runs outside a transaction, as in production, so its e-mail (queued once the
# request's writes commit: common.notifications.notify_after_commit) leaves during the request.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-secret-42"


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_password_reset_revokes_the_api_token():
    user = f.UserFactory(username="li-na", email="li.na@example.cn")
    stolen = Token.objects.create(user=user)
    client = english_client()
    client.post("/accounts/password-reset/", {"email": "li.na@example.cn"})
    form = client.get(_reset_link(mail.outbox[0]), follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    assert not Token.objects.filter(key=stolen.key).exists()
    api = english_client()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {stolen.key}").status_code == 401


def test_reset_e_mails_to_one_address_are_capped_whatever_the_requesting_address(monkeypatch):
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", {"anon_write": "2/minute"})
    f.UserFactory(email="victim@example.cn")

    for n in range(20):  # twenty callers, each within its own rate
        english_client().post(
            "/accounts/password-reset/", {"email": "victim@example.cn"}, REMOTE_ADDR=f"10.0.0.{n + 1}"
        )

    assert 1 <= len(mail.outbox) <= 5
