"""Signing in: the landing area, and the sign-in page's own link never loops."""

from ..factories import PASSWORD


def test_signing_in_lands_in_the_users_area(world, client):
    response = client.post(
        "/accounts/login/", {"username": world["officer"].username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/bureau/"


def test_a_signed_in_user_sent_back_to_the_sign_in_page_goes_to_their_area(world, client):
    client.force_login(world["officer"])
    response = client.get("/accounts/login/?next=/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/accounts/start/"
