"""The rating-burst quarantine counts the client's real address, as the throttles do
(common.client_address): behind our proxy, households rating from their own addresses are not a
burst; a made-up X-Forwarded-For does not hide one."""

from evaluations.models import Rating

from .. import flows


def rate_through(api, residents, contract, **headers) -> list[Rating]:
    for index, resident in enumerate(residents):
        forwarded = headers.get("forwarded", "{index}").format(index=index + 1)
        response = api(resident.user).post(
            "ratings/",
            {"contract": contract.id, "satisfaction": 5, "resolved": "yes"},
            REMOTE_ADDR=headers["remote"],
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 201, response.json()
    return list(Rating.objects.filter(contract=contract).order_by("id"))


def test_behind_the_trusted_proxy_each_household_counts_from_its_own_address(world, api, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATING_IP_BURST = 2
    objects = flows.delivering_contract(world, households=4)
    ratings = rate_through(
        api, objects["residents"], objects["contract"], remote="10.0.0.2", forwarded="203.0.113.{index}"
    )
    assert [rating.status for rating in ratings] == [Rating.Status.VALID] * 4
    assert [rating.client_address for rating in ratings] == [f"203.0.113.{i}" for i in range(1, 5)]


def test_a_made_up_forwarded_for_does_not_hide_a_burst(world, api, settings):
    settings.RATING_IP_BURST = 2
    objects = flows.delivering_contract(world, households=4)
    ratings = rate_through(
        api, objects["residents"], objects["contract"], remote="198.51.100.7", forwarded="203.0.113.{index}"
    )
    valid, quarantined = Rating.Status.VALID, Rating.Status.QUARANTINED
    assert [rating.status for rating in ratings] == [valid, valid, quarantined, quarantined]
    assert {rating.client_address for rating in ratings} == {"198.51.100.7"}


def test_the_rating_pages_record_the_same_address(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    objects = flows.delivering_contract(world, households=1)
    contract = objects["contract"]
    client.force_login(objects["residents"][0].user)
    proxied = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.66, 203.0.113.9"}
    base = f"/resident/rate/{contract.pk}/"
    client.post(base, {"satisfaction": "4"}, **proxied)
    client.post(f"{base}resolved/", {"resolved": "yes"}, **proxied)
    client.post(f"{base}comment/", {"comment": ""}, **proxied)
    assert client.post(f"{base}check/", **proxied).status_code == 302
    assert Rating.objects.get().client_address == "203.0.113.9"
