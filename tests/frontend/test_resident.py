"""Resident pages: sign-up with a household code, the services to rate, the one-question rating
journey (session answers → check answers → ``rating_create``), the confirmation and the household's
ratings. Who may rate what is the service's rule: the pages show its refusal."""

import re

import pytest

from evaluations.models import Rating
from orgs.models import Resident, User

from .. import factories as f
from .. import flows


@pytest.fixture
def delivering(world):
    return flows.delivering_contract(world, households=2)


def _text(response) -> str:
    return response.content.decode()


def _answer_all(client, contract, satisfaction="4", resolved="yes", comment="Kind staff."):
    base = f"/resident/rate/{contract.pk}/"
    assert client.post(base, {"satisfaction": satisfaction}).status_code == 302
    if satisfaction != "not_received":
        assert client.post(f"{base}resolved/", {"resolved": resolved}).status_code == 302
    assert client.post(f"{base}comment/", {"comment": comment}).status_code == 302


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/resident/", "/resident/rate/1/", "/resident/rate/1/check/", "/resident/ratings/1/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(db, browse, path):
    response = browse().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_users_who_are_not_residents_are_refused(world, browse, delivering):
    contract = delivering["contract"]
    for user in (world["stranger"], world["officer"], world["provider_admins"][0]):
        client = browse(user)
        assert client.get("/resident/").status_code == 403
        assert client.get(f"/resident/rate/{contract.pk}/").status_code == 403


# --- Sign-up --------------------------------------------------------------------------------------


def test_sign_up_with_a_household_code_signs_the_resident_in(world, browse):
    household = f.HouseholdFactory(area=world["areas"]["compound"])
    client = browse()
    assert "household index card your residents" in _text(client.get("/accounts/signup/"))

    response = client.post(
        "/accounts/signup/",
        {
            "username": "wang_li",
            "password": "a-long-Passphrase-9",
            "phone": "13800000000",
            "household_code": household.code,
        },
    )

    assert response.status_code == 302 and response["Location"] == "/resident/"
    resident = Resident.objects.get(user__username="wang_li")
    assert resident.household == household and resident.user.phone == "13800000000"
    assert client.get("/resident/").status_code == 200  # signed in


def test_sign_up_with_a_wrong_household_code_shows_the_error_on_the_field(world, browse):
    users = User.objects.count()

    response = browse().post(
        "/accounts/signup/",
        {
            "username": "wang_li",
            "password": "a-long-Passphrase-9",
            "phone": "13800000000",
            "household_code": "NO-SUCH-CODE",
        },
    )

    page = _text(response)
    assert response.status_code == 200
    assert "<title>Error:" in page and 'class="govuk-error-summary"' in page
    assert '<a href="#id_household_code">No household has this code.</a>' in page
    assert 'id="id_household_code-error"' in page
    assert 'value="wang_li"' in page and 'value="NO-SUCH-CODE"' in page and 'value="13800000000"' in page
    assert "a-long-Passphrase-9" not in page  # never the password
    assert User.objects.count() == users and not Resident.objects.exists()


def test_sign_up_form_errors_keep_the_values(world, browse):
    response = browse().post("/accounts/signup/", {"username": "", "password": "", "household_code": "HH1"})
    page = _text(response)
    assert response.status_code == 200
    assert 'href="#id_username"' in page and 'href="#id_password"' in page
    assert 'value="HH1"' in page


# --- Home: services to rate and the household's ratings -----------------------------------------


def test_home_lists_the_services_the_household_may_rate(world, browse, delivering):
    contract = delivering["contract"]
    resident = delivering["residents"][0]

    page = _text(browse(resident.user).get("/resident/"))

    assert "Services you can rate" in page and contract.title in page
    assert f'href="/resident/rate/{contract.pk}/"' in page and "Rate this service" in page
    assert "Your household has not rated any services yet." in page

    # a resident whose household received nothing has nothing to rate
    outsider = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
    page = _text(browse(outsider.user).get("/resident/"))
    assert contract.title not in page and "There are no services for you to rate" in page


def test_home_lists_the_households_ratings_and_quarantine_does_not_alarm(world, browse, delivering):
    contract = delivering["contract"]
    resident, neighbour = delivering["residents"]
    rating = flows.quarantined_rating(resident, contract)
    flows.rate(neighbour, contract, 2)

    page = _text(browse(resident.user).get("/resident/"))

    assert f'href="/resident/rate/{contract.pk}/"' not in page  # rated: no longer offered
    assert f"R-{rating.pk:06d}" in page and "Very satisfied" in page and "Yes" in page
    assert "Being checked" in page and "You do not need to do anything." in page
    assert "Quarantined" not in page
    assert page.count('data-testid="my-rating"') == 1  # not the neighbour's household
    assert f'href="/resident/ratings/{rating.pk}/change/"' in page and "Change your rating" in page


# --- The rating journey ---------------------------------------------------------------------------


def test_full_rating_journey_creates_one_rating_through_the_service(world, browse, delivering):
    contract = delivering["contract"]
    resident = delivering["residents"][0]
    client = browse(resident.user)
    base = f"/resident/rate/{contract.pk}/"

    page = _text(client.get(base))
    assert f'<h1 class="govuk-fieldset__heading">How satisfied are you with {contract.title}?</h1>' in page
    for label in (
        "Very satisfied",
        "Satisfied",
        "Neither satisfied nor dissatisfied",
        "Dissatisfied",
        "Very dissatisfied",
        "I did not receive this service",
    ):
        assert f">{label}</label>" in page
    assert '<div class="govuk-radios__divider">or</div>' in page
    assert 'href="/resident/"' in page and "govuk-back-link" in page

    response = client.post(base, {"satisfaction": "4"})
    assert response["Location"] == f"{base}resolved/"
    page = _text(client.get(f"{base}resolved/"))
    assert "Was your problem resolved?" in page and ">Partly</label>" in page

    response = client.post(f"{base}resolved/", {"resolved": "yes"})
    assert response["Location"] == f"{base}comment/"
    page = _text(client.get(f"{base}comment/"))
    assert "(optional)" in page and 'data-maxlength="1200"' in page and "govuk-character-count" in page

    response = client.post(f"{base}comment/", {"comment": "Kind staff, hot lunch."})
    assert response["Location"] == f"{base}check/"
    page = _text(client.get(f"{base}check/"))
    assert "Check your answers before sending your rating" in page
    assert "Satisfied" in page and "Kind staff, hot lunch." in page and "Send rating" in page
    assert f'href="{base}resolved/"' in page and "whether your problem was resolved" in page
    assert not Rating.objects.exists()

    response = client.post(f"{base}check/")

    rating = Rating.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/resident/ratings/{rating.pk}/"
    assert (rating.household, rating.contract, rating.rater) == (resident.household, contract, resident.user)
    assert (rating.satisfaction, rating.resolved, rating.comment) == (4, "yes", "Kind staff, hot lunch.")
    assert rating.channel == Rating.Channel.WEB and rating.evaluation == delivering["evaluation"]
    assert rating.status == Rating.Status.VALID
    # the answers are forgotten: a second click does not send again
    assert client.post(f"{base}check/")["Location"] == "/resident/"
    assert Rating.objects.count() == 1


def test_change_links_return_to_check_answers(world, browse, delivering):
    contract = delivering["contract"]
    client = browse(delivering["residents"][0].user)
    _answer_all(client, contract)
    base = f"/resident/rate/{contract.pk}/"

    assert client.post(base, {"satisfaction": "5"})["Location"] == f"{base}check/"
    # answering "not received" drops the resolved answer; changing back asks it again
    assert client.post(base, {"satisfaction": "not_received"})["Location"] == f"{base}check/"
    assert "Problem resolved" not in _text(client.get(f"{base}check/"))
    assert client.post(base, {"satisfaction": "3"})["Location"] == f"{base}resolved/"


def test_not_received_skips_the_resolved_question(world, browse, delivering):
    contract = delivering["contract"]
    client = browse(delivering["residents"][0].user)
    base = f"/resident/rate/{contract.pk}/"

    response = client.post(base, {"satisfaction": "not_received"})
    assert response["Location"] == f"{base}comment/"
    assert client.get(f"{base}resolved/")["Location"] == f"{base}comment/"
    assert f'href="{base}"' in _text(client.get(f"{base}comment/"))  # back to the first question
    client.post(f"{base}comment/", {"comment": ""})
    page = _text(client.get(f"{base}check/"))
    assert "I did not receive this service" in page and "Not provided" in page
    assert "Was your problem resolved" not in page

    client.post(f"{base}check/")

    rating = Rating.objects.get()
    assert (rating.satisfaction, rating.resolved, rating.comment) == (Rating.NOT_RECEIVED, "no", "")
    page = _text(client.get(f"/resident/ratings/{rating.pk}/"))
    assert "did not receive this service" in page


@pytest.mark.parametrize(("step", "field"), [("", "satisfaction"), ("resolved/", "resolved")])
def test_a_missing_answer_shows_the_error_summary(world, browse, delivering, step, field):
    contract = delivering["contract"]
    client = browse(delivering["residents"][0].user)
    base = f"/resident/rate/{contract.pk}/"
    if step:
        client.post(base, {"satisfaction": "4"})

    response = client.post(f"{base}{step}", {})

    page = _text(response)
    assert response.status_code == 200
    assert "<title>Error:" in page and "There is a problem" in page
    assert f'href="#id_{field}_0"' in page and f'id="id_{field}_0"' in page
    assert "govuk-form-group--error" in page


def test_an_invalid_answer_is_refused_and_the_previous_answer_kept(world, browse, delivering):
    contract = delivering["contract"]
    client = browse(delivering["residents"][0].user)
    base = f"/resident/rate/{contract.pk}/"
    client.post(base, {"satisfaction": "4"})

    assert client.post(base, {"satisfaction": "9"}).status_code == 200
    page = _text(client.get(base))
    assert re.search(r'value="4"[^>]*checked', page)


def test_a_too_long_comment_is_refused_and_kept(world, browse, delivering):
    contract = delivering["contract"]
    client = browse(delivering["residents"][0].user)
    base = f"/resident/rate/{contract.pk}/"
    client.post(base, {"satisfaction": "4"})
    client.post(f"{base}resolved/", {"resolved": "no"})
    long_comment = "很" * 1201

    response = client.post(f"{base}comment/", {"comment": long_comment})

    page = _text(response)
    assert response.status_code == 200 and 'href="#id_comment"' in page
    assert "1200 characters or fewer" in page and long_comment in page
    assert client.get(f"{base}check/")["Location"] == f"{base}comment/"  # not stored


def test_a_contract_the_household_may_not_rate_is_not_found(world, browse, delivering):
    contract = delivering["contract"]
    outsider = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
    client = browse(outsider.user)
    for step in ("", "resolved/", "comment/", "check/"):
        assert client.get(f"/resident/rate/{contract.pk}/{step}").status_code == 404
    assert client.post(f"/resident/rate/{contract.pk}/", {"satisfaction": "4"}).status_code == 404
    assert not Rating.objects.exists()


def test_sending_shows_the_services_refusal(world, browse, delivering):
    # Given a resident who answered every question, and another member of the household who
    # rated the service meanwhile
    contract = delivering["contract"]
    resident = delivering["residents"][0]
    client = browse(resident.user)
    _answer_all(client, contract)
    flows.rate(f.ResidentFactory(household=resident.household), contract, 2)

    response = client.post(f"/resident/rate/{contract.pk}/check/")

    page = _text(response)
    assert response.status_code == 200
    assert "<title>Error:" in page and "Your household has already rated this evaluation." in page
    assert Rating.objects.count() == 1 and Rating.objects.get().satisfaction == 2


# --- Confirmation and changing a rating -----------------------------------------------------------


def test_the_confirmation_page(world, browse, delivering):
    contract = delivering["contract"]
    resident, neighbour = delivering["residents"]
    client = browse(resident.user)
    _answer_all(client, contract, satisfaction="5", comment="")
    location = client.post(f"/resident/rate/{contract.pk}/check/")["Location"]
    rating = Rating.objects.get()
    assert location == f"/resident/ratings/{rating.pk}/"

    page = _text(client.get(f"/resident/ratings/{rating.pk}/"))

    assert "govuk-panel--confirmation" in page and "Rating sent" in page
    assert f"R-{rating.pk:06d}" in page
    assert "What happens next" in page and "count in the next evaluation" in page
    assert "You can change your rating until" in page
    assert f'href="/resident/ratings/{rating.pk}/change/"' in page
    assert browse(neighbour.user).get(f"/resident/ratings/{rating.pk}/").status_code == 404


def test_a_quarantined_rating_is_described_as_being_checked(world, browse, delivering):
    resident = delivering["residents"][0]
    rating = flows.quarantined_rating(resident, delivering["contract"])

    page = _text(browse(resident.user).get(f"/resident/ratings/{rating.pk}/"))

    assert "We check some ratings before they count" in page and "Quarantined" not in page


def test_changing_a_rating_goes_through_rating_update(world, browse, delivering):
    contract = delivering["contract"]
    resident = delivering["residents"][0]
    rating = flows.rate(resident, contract, 5)
    client = browse(resident.user)
    change = f"/resident/ratings/{rating.pk}/change/"

    assert client.get(change)["Location"] == f"{change}check/"
    page = _text(client.get(f"{change}check/"))
    assert "Very satisfied" in page and "Save changes" in page
    assert client.post(f"{change}satisfaction/", {"satisfaction": "2"})["Location"] == f"{change}check/"

    response = client.post(f"{change}check/")

    assert response["Location"] == "/resident/"
    rating.refresh_from_db()
    assert (rating.satisfaction, rating.resolved) == (2, "yes")
    assert Rating.objects.count() == 1


def test_a_change_after_the_window_shows_the_services_refusal(world, browse, delivering):
    contract = delivering["contract"]
    resident = delivering["residents"][0]
    rating = flows.rate(resident, contract, 5)
    eight_days_ago = flows.past(minutes=60 * 24 * 8)
    Rating.objects.filter(pk=rating.pk).update(created_at=eight_days_ago)
    client = browse(resident.user)
    change = f"/resident/ratings/{rating.pk}/change/"
    assert "Change your rating" not in _text(client.get("/resident/"))
    client.post(f"{change}satisfaction/", {"satisfaction": "1"})

    response = client.post(f"{change}check/")

    assert response.status_code == 200 and "A rating can be changed for 7 days." in _text(response)
    rating.refresh_from_db()
    assert rating.satisfaction == 5
