"""A provider awaiting verification is shown what it may do now (read tenders, prepare) and why the
rest waits, with no form or button that would end in "not allowed"."""

import pytest

from marketplace.models import Bid, Question

from .. import flows
from .helpers import english_client, messages_of, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(db):
    return english_client(flows.pending_provider().memberships.get().user)


def test_the_tender_page_explains_instead_of_offering_refused_actions(world, pending):
    tender = flows.published_tender(world)
    html = page(pending.get(f"/provider/tenders/{tender.pk}/"))
    assert f"/provider/tenders/{tender.pk}/bid/" not in html
    assert f"/provider/tenders/{tender.pk}/questions/new/" not in html
    assert "Prepare a bid" not in html and "Ask a question" not in html
    assert "Your organisation can ask questions and bid once it is verified." in html
    assert "What you can do now" in html and "What happens next" in html
    assert 'href="/provider/"' in html  # to the verification status


def test_the_bid_and_question_pages_lead_back_to_the_tender_with_the_reason(world, pending):
    tender = flows.published_tender(world)
    for path in ("bid/", "bid/price/", "bid/check/", "questions/new/"):
        response = pending.get(f"/provider/tenders/{tender.pk}/{path}", follow=True)
        assert response.redirect_chain[-1][0] == f"/provider/tenders/{tender.pk}/", path
        assert messages_of(response) == ["Your organisation can ask questions and bid once it is verified."]
        assert "govuk-error-summary" not in page(response)
    pending.post(f"/provider/tenders/{tender.pk}/bid/price/", {"price": "1000", "completed": "yes"})
    pending.post(f"/provider/tenders/{tender.pk}/questions/new/", {"text": "Meals?"})
    assert not Bid.objects.exists() and not Question.objects.exists()


def test_the_provider_home_says_what_it_may_do_and_links_only_there(world, pending):
    html = page(pending.get("/provider/"))
    assert "Pending verification" in html and "What you can do now" in html
    assert 'href="/provider/tenders/"' in html
    assert 'href="/provider/contracts/"' not in html  # nothing to sign before verification
    assert 'data-testid="waiting"' not in html


def test_a_verified_provider_still_gets_the_forms(world):
    tender = flows.published_tender(world)
    client = english_client(world["provider_admins"][0])
    html = page(client.get(f"/provider/tenders/{tender.pk}/"))
    assert (
        f"/provider/tenders/{tender.pk}/bid/" in html
        and f"/provider/tenders/{tender.pk}/questions/new/" in html
    )
    assert "What you can do now" not in html
    assert client.get(f"/provider/tenders/{tender.pk}/bid/").status_code == 200
    assert client.get(f"/provider/tenders/{tender.pk}/questions/new/").status_code == 200
