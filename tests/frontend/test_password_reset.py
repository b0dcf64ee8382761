"""Forgotten password (issue 9): Django's reset by e-mail under /accounts/password-reset/, on GOV.UK
pages linked from the sign-in page, throttled like signing in, and never telling whether an address
has an account."""

import re

import pytest
from django.core import mail
from django.db import transaction

from frontend.accounts.forms import PasswordResetRequestForm
from frontend.throttling import PageRateThrottle
from orgs.models import User

from .. import factories as f
from .helpers import page

# The reset page runs outside a transaction, as in production, so its e-mail (queued once the
# request's writes commit: common.notifications.notify_after_commit) leaves during the request.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-secret-42"


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which differ for every visitor."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def test_the_sign_in_page_links_to_the_reset(browse):
    assert 'href="/accounts/password-reset/"' in page(browse().get("/accounts/login/"))


def test_a_user_resets_their_password_by_e_mail_and_signs_in_with_the_new_one(browse):
    user = f.UserFactory(username="li-na", email="li.na@example.cn")
    client = browse()

    asked = client.post("/accounts/password-reset/", {"email": "LI.NA@example.cn"})

    assert asked.status_code == 302 and asked["Location"] == "/accounts/password-reset/sent/"
    assert "Check your e-mail" in page(client.get(asked["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.na@example.cn"]
    assert "li-na" in message.body and "The link works once, for 1 hour." in message.body

    form = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in page(form)
    set_password_url = form.redirect_chain[-1][0]
    mismatch = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert "Enter the same password in both fields" in page(mismatch)
    weak = client.post(set_password_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and 'href="#id_new_password1"' in page(weak)

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/done/"
    assert "Your password has been changed" in page(client.get(done["Location"]))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    signed_in = browse().post("/accounts/login/", {"username": "li-na", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    # the link works once
    assert "This link does not work" in page(browse().get(reset_link(message), follow=True))


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(browse):
    f.UserFactory(username="li-na", email="li.na@example.cn")
    known = browse().post("/accounts/password-reset/", {"email": "li.na@example.cn"}, follow=True)
    mail.outbox.clear()

    unknown = browse().post("/accounts/password-reset/", {"email": "nobody@example.cn"}, follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert without_tokens(page(unknown)) == without_tokens(page(known))


def test_a_bad_address_is_explained_on_the_field(browse):
    empty = browse().post("/accounts/password-reset/", {"email": ""})
    wrong = browse().post("/accounts/password-reset/", {"email": "not-an-address"})

    assert empty.status_code == 200 and "Enter your e-mail address" in page(empty)
    assert 'href="#id_email"' in page(wrong)
    assert "Enter an e-mail address in the correct format, like name@example.com" in page(wrong)
    assert mail.outbox == []


def test_a_broken_link_says_so_and_offers_a_new_one(browse):
    user = f.UserFactory()
    response = browse().get("/accounts/password-reset/MQ/not-a-token/", follow=True)

    assert "This link does not work" in page(response)
    assert 'href="/accounts/password-reset/"' in page(response)
    assert not user.check_password(NEW_PASSWORD)


def test_reset_requests_are_throttled_like_signing_in(browse, monkeypatch):
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", {"anon_write": "2/minute"})
    f.UserFactory(email="li.na@example.cn")
    client = browse()
    answers = [
        client.post("/accounts/password-reset/", {"email": "li.na@example.cn"}).status_code for _ in range(3)
    ]

    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_a_mail_server_that_is_down_does_not_show(browse, settings):
    settings.EMAIL_BACKEND = "tests.frontend.test_password_reset.BrokenBackend"
    f.UserFactory(email="li.na@example.cn")

    response = browse().post("/accounts/password-reset/", {"email": "li.na@example.cn"})

    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert User.objects.filter(email="li.na@example.cn").exists()


class RolledBack(Exception):
    pass


def test_a_reset_asked_in_a_transaction_that_rolls_back_sends_nothing():
    f.UserFactory(email="li.na@example.cn")
    form = PasswordResetRequestForm(data={"email": "li.na@example.cn"})
    assert form.is_valid()

    try:
        with transaction.atomic():
            form.save(domain_override="example.cn")
            raise RolledBack
    except RolledBack:
        pass
    assert mail.outbox == []

    form.save(domain_override="example.cn")  # outside a transaction it leaves at once
    assert [message.to for message in mail.outbox] == [["li.na@example.cn"]]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")
