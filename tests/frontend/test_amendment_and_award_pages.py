"""The pages of amendments (docs/rules.md §17.3) and of the award notice (§17.4): the bureau amends
from its tender page; the public tender page lists amendments, the questions deadline and the award
notice with every opened bid's standing; the provider's bid page warns of an amendment after
submission and, after the award, shows the bid's own scores. In English and in Chinese."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from documents.models import Document
from frontend.bureau.forms import AmendForm
from marketplace import services
from marketplace.models import Award, Tender
from marketplace.selectors import ranking_of

from .. import factories as f
from .. import flows
from ..documents import files
from .helpers import english_client, messages_of, page

pytestmark = pytest.mark.django_db


def zh_client(user=None):
    client = english_client(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def amend_form(tender, **answers):
    deadline = timezone.localtime(tender.bid_deadline)
    form = {
        "reason": "Lunch is now included.",
        "description": tender.description,
        "deadline_date": deadline.strftime("%Y-%m-%d"),
        "deadline_time": deadline.strftime("%H:%M"),
        "service_start": tender.service_start.isoformat(),
        "service_end": tender.service_end.isoformat(),
    }
    for prefix in ("criteria", "kpis"):  # the task list's rows, as the page shows them
        for name, value in AmendForm.rows_initial_of(tender, prefix).items():
            form[f"{prefix}-{name}"] = "" if value is None else str(value)
    return {**form, **answers}


def test_the_officer_amends_from_the_tender_page_and_the_public_sees_it(world):
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    officer = english_client(world["officer"])
    assert f"/bureau/tenders/{tender.pk}/amend/" in page(officer.get(f"/bureau/tenders/{tender.pk}/"))
    form_page = page(officer.get(f"/bureau/tenders/{tender.pk}/amend/"))
    assert "Day care for elderly residents." in form_page  # the current terms, ready to change
    assert "Publish a document with the amendment (optional)" in form_page
    assert "(optional) (optional)" not in form_page

    response = officer.post(
        f"/bureau/tenders/{tender.pk}/amend/",
        amend_form(tender, description="Day care with lunch."),
        follow=True,
    )

    assert messages_of(response) == ["Amendment published. Bidders have been told."]
    amendment = Tender.objects.get(pk=tender.pk).amendments.get()
    assert list(amendment.changes) == ["description"]  # the unchanged answers are not sent
    for client in (english_client(), zh_client()):
        public = page(client.get(f"/tenders/{tender.pk}/"))
        assert "Lunch is now included." in public and "Day care with lunch." in public
        assert 'data-testid="questions-until"' in public
    public = page(english_client().get(f"/tenders/{tender.pk}/"))
    assert "Was: Day care for elderly residents." in public
    assert "Amended on" in public
    assert "Lunch is now included." in page(zh_client(world["officer"]).get(f"/bureau/tenders/{tender.pk}/"))


def test_the_officer_changes_criteria_and_kpis_with_the_task_list_rules(world):
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    officer = english_client(world["officer"])
    url = f"/bureau/tenders/{tender.pk}/amend/"
    form_page = page(officer.get(url))
    assert 'name="criteria-price_weight"' in form_page and 'name="kpis-kpi_1_name"' in form_page

    # the weights must still add up to 100, as on the draft's task list
    response = officer.post(url, amend_form(tender, **{"criteria-price_weight": "35"}))
    assert response.status_code == 200
    assert "The weights of price and the quality criteria must add up to 100" in page(response)
    assert not Tender.objects.get(pk=tender.pk).amendments.exists()

    response = officer.post(
        url,
        amend_form(
            tender,
            **{
                "criteria-price_weight": "35",
                "criteria-quality_2_weight": "25",
                "kpis-kpi_2_name": "Group activities",
                "kpis-kpi_2_target": "24",
                "kpis-kpi_2_unit": "sessions",
            },
        ),
        follow=True,
    )
    assert messages_of(response) == ["Amendment published. Bidders have been told."]
    amendment = Tender.objects.get(pk=tender.pk).amendments.get()
    assert set(amendment.changes) == {"criteria", "kpis"}
    assert [(c.name, c.weight) for c in Tender.objects.get(pk=tender.pk).criteria.all()] == [
        ("Price", 35),
        ("Service plan", 40),
        ("Team", 25),
    ]
    assert [kpi.name for kpi in Tender.objects.get(pk=tender.pk).kpis.all()] == ["Visits", "Group activities"]


def test_a_bad_amendment_shows_the_rule_on_the_form_and_changes_nothing(world):
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    officer = english_client(world["officer"])
    too_soon = timezone.localtime(f.in_days(11))

    response = officer.post(
        f"/bureau/tenders/{tender.pk}/amend/",
        amend_form(
            tender,
            deadline_date=too_soon.strftime("%Y-%m-%d"),
            service_end=(tender.service_start - datetime.timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 200
    text = page(response)
    assert "An amended bid deadline must leave at least 15 days" in text
    assert not Tender.objects.get(pk=tender.pk).amendments.exists()


def test_the_deadline_moves_and_the_officer_is_told(world):
    tender = flows.published_tender(world)  # a little less than 15 days remain
    response = english_client(world["officer"]).post(
        f"/bureau/tenders/{tender.pk}/amend/", amend_form(tender), follow=True
    )
    tender.refresh_from_db()
    deadline = timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")
    assert messages_of(response) == [
        f"Amendment published. The bid deadline moved to {deadline}; bidders have been told."
    ]
    assert "The bid deadline was moved so that at least 15 days remain" in page(
        english_client().get(f"/tenders/{tender.pk}/")
    )


def test_no_amend_link_after_the_deadline_or_for_other_roles(world):
    tender = flows.published_tender(world)
    finance = english_client(world["finance"])
    assert f"/bureau/tenders/{tender.pk}/amend/" not in page(finance.get(f"/bureau/tenders/{tender.pk}/"))
    flows.pass_deadline(tender)
    officer = english_client(world["officer"])
    assert f"/bureau/tenders/{tender.pk}/amend/" not in page(officer.get(f"/bureau/tenders/{tender.pk}/"))
    response = officer.get(f"/bureau/tenders/{tender.pk}/amend/", follow=True)
    assert messages_of(response) == ["This tender cannot be amended now."]


def test_a_bid_submitted_before_an_amendment_is_flagged_on_its_page(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    provider = english_client(world["provider_admins"][0])
    banner = "The tender was amended after you submitted — check and, if needed, withdraw and submit again"
    assert banner not in page(provider.get(f"/provider/bids/{bid.pk}/"))

    services.tender_amend(actor=world["officer"], tender=tender, reason="Lunch included.", changes={})

    text = page(provider.get(f"/provider/bids/{bid.pk}/"))
    assert banner in text and f"/provider/bids/{bid.pk}/withdraw/" in text
    assert page(zh_client(world["provider_admins"][0]).get(f"/provider/bids/{bid.pk}/"))


def test_questions_close_on_the_pages(world):
    tender = flows.published_tender(world)
    provider = english_client(world["provider_admins"][0])
    assert f"/provider/tenders/{tender.pk}/questions/new/" in page(provider.get(f"/tenders/{tender.pk}/"))
    Tender.objects.filter(pk=tender.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=14), bid_deadline=f.in_days(1)
    )
    text = page(provider.get(f"/tenders/{tender.pk}/"))
    assert f"/provider/tenders/{tender.pk}/questions/new/" not in text
    assert 'data-testid="questions-closed"' in text
    assert f"/provider/tenders/{tender.pk}/questions/new/" not in page(
        provider.get(f"/provider/tenders/{tender.pk}/")
    )


def _awarded_with_a_disqualified_bid(world):
    tender = flows.evaluating_tender(world, prices=(28_000_000, 30_000_000, 29_000_000))
    third = tender.bids.get(provider=world["providers"][2])
    services.bid_disqualify(actor=world["officer"], bid=third, reason="No certificate.")
    flows.score_all(world, tender)
    return services.tender_award(actor=world["officer"], tender=tender, bid=ranking_of(tender)[0].bid)


def test_the_public_tender_page_shows_the_award_notice(world):
    tender = _awarded_with_a_disqualified_bid(world)
    award = Award.objects.get(tender=tender)

    text = page(english_client().get(f"/tenders/{tender.pk}/"))

    assert "Award notice" in text and 'data-testid="award-standings"' in text
    until = timezone.localtime(award.challenge_until).strftime("%Y-%m-%d")
    assert f'Open to challenge until <span class="shequ-value">{until}</span>, end of day' in text
    for provider in world["providers"]:
        assert provider.name in text
    assert "Disqualified" in text
    assert f"{award.total}" in text
    assert page(zh_client().get(f"/tenders/{tender.pk}/"))


def test_an_annulled_notice_stays_visible_as_annulled(world):
    tender = flows.award_proposed_tender(world)
    award = Award.objects.get(tender=tender)
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        services.award_annul(
            award=award, tender=locked, by=world["officer"], description="Upheld.", cancel_tender=False
        )
    text = page(english_client().get(f"/tenders/{tender.pk}/"))
    assert 'data-testid="award-annulled"' in text and "Annulled" in text


def test_the_provider_sees_its_own_scores_after_the_award(world):
    tender = flows.evaluating_tender(world)
    flows.score_all(world, tender)
    loser = tender.bids.get(provider=world["providers"][1])
    provider = english_client(world["provider_admins"][1])
    assert 'data-testid="own-standing"' not in page(provider.get(f"/provider/bids/{loser.pk}/"))

    services.tender_award(actor=world["officer"], tender=tender, bid=ranking_of(tender)[0].bid)

    row = next(row for row in ranking_of(tender) if row.bid.pk == loser.pk)
    text = page(provider.get(f"/provider/bids/{loser.pk}/"))
    assert 'data-testid="own-standing"' in text
    assert f"{row.price_score}" in text and f"{row.quality_score}" in text and f"{row.total}" in text
    assert '<dd class="govuk-summary-list__value" data-testid="own-rank">2</dd>' in text
    assert f"/tenders/{tender.pk}/#award-notice" in text
    for criterion in tender.criteria.filter(kind="quality"):
        assert f"{criterion.name} (out of {criterion.weight})" in text
    assert page(zh_client(world["provider_admins"][1]).get(f"/provider/bids/{loser.pk}/"))


def test_an_amendment_publishes_a_clarification_document(world):
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    officer = english_client(world["officer"])
    url = f"/bureau/tenders/{tender.pk}/amend/"
    form_page = page(officer.get(url))
    assert 'enctype="multipart/form-data"' in form_page and 'name="document_file"' in form_page

    response = officer.post(
        url,
        amend_form(
            tender,
            reason="Answers to the site visit questions.",
            document_file=files.upload(files.PDF, "clarification.pdf"),
            document_title="Clarification No. 1",
            document_kind="clarification",
        ),
        follow=True,
    )

    assert messages_of(response) == ["Amendment published. Bidders have been told."]
    document = Document.objects.get()
    assert document.owner == tender and document.kind == "clarification"
    amendment = Tender.objects.get(pk=tender.pk).amendments.get()
    assert amendment.changes["documents"]["after"] == [
        {"title": "Clarification No. 1", "filename": "clarification.pdf", "sha256": document.sha256}
    ]
    assert document.sha256 in page(english_client().get(f"/tenders/{tender.pk}/"))


def test_an_amendment_document_needs_a_title_and_a_real_file_or_nothing_changes(world):
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    officer = english_client(world["officer"])
    url = f"/bureau/tenders/{tender.pk}/amend/"

    untitled = officer.post(url, amend_form(tender, document_file=files.upload()))
    disguised = officer.post(
        url, amend_form(tender, document_file=files.upload(files.HTML, "x.pdf"), document_title="Notice")
    )

    assert untitled.status_code == 200 and "Give the document a title." in page(untitled)
    assert disguised.status_code == 200 and "The file must be a PDF" in page(disguised)
    assert not Document.objects.exists()
    assert not Tender.objects.get(pk=tender.pk).amendments.exists()


def test_an_amendment_too_long_to_read_is_413_with_the_form_and_nothing_changes(world, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    tender = flows.published_tender(world, bid_deadline=f.in_days(30))
    content = files.PDF + b"\x00" * (1000 + 64 * 1024)

    response = english_client(world["officer"]).post(
        f"/bureau/tenders/{tender.pk}/amend/",
        amend_form(tender, document_file=files.upload(content), document_title="Notice"),
    )

    assert response.status_code == 413
    body = page(response)
    assert "govuk-error-summary" in body and "The file is larger than" in body
    assert 'name="reason"' in body and 'name="document_file"' in body
    assert not Document.objects.exists()
    assert not Tender.objects.get(pk=tender.pk).amendments.exists()
