from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import Contract, Instalment
from evaluations.models import Evaluation, Rating
from marketplace.models import Tender
from orgs.models import User
from payments.models import Payment

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_state_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    assert set(Tender.objects.values_list("status", flat=True)) == set(Tender.Status.values)
    assert set(Contract.objects.values_list("status", flat=True)) >= {"draft", "active"}
    assert Evaluation.objects.filter(stage="midterm", status="final").exists()
    # paid advances: home care's, and the anti-fraud contract's, over and closed (every instalment paid)
    assert set(
        Instalment.objects.filter(kind="advance", status="paid").values_list("contract__title", flat=True)
    ) == {"玉林片区居家养老服务", "老年人防范电信诈骗宣传服务"}
    assert Contract.objects.get(status="closed").title == "老年人防范电信诈骗宣传服务"
    assert Payment.objects.filter(status="processing").count() == 1  # finance's voucher to confirm
    counts = (Tender.objects.count(), Rating.objects.count())

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already present" in again.getvalue()
    assert (Tender.objects.count(), Rating.objects.count()) == counts


def test_in_the_demo_a_newcomer_is_confirmed_by_the_committee_and_rates():
    """The demo's own journey: `newcomer` waits for 玉林北路社区's committee, which confirms them on
    its page; then they rate the bathing service their household received today."""
    from orgs.models import Resident, User

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    newcomer = User.objects.get(username="newcomer")
    resident = Resident.objects.get(user=newcomer)
    assert resident.status == "pending"
    assert Resident.objects.filter(user__username="resident1", status="confirmed").exists()
    client = english_client(newcomer)
    assert "We are confirming your household" in page(client.get("/resident/"))

    committee = english_client(User.objects.get(username="community"))
    queue = page(committee.get("/community/residents/"))
    assert f"/community/residents/{resident.pk}/" in queue
    assert committee.post(f"/community/residents/{resident.pk}/", {"decision": "confirm"}).status_code == 302

    home = page(client.get("/resident/"))
    contract = Contract.objects.get(title="长者助浴服务")
    assert f"/resident/rate/{contract.pk}/" in home
    base = f"/resident/rate/{contract.pk}/"
    assert client.post(base, {"satisfaction": "5"}).status_code == 302
    assert client.post(f"{base}resolved/", {"resolved": "yes"}).status_code == 302
    assert client.post(f"{base}comment/", {"comment": ""}).status_code == 302
    assert client.post(f"{base}check/").status_code == 302
    assert Rating.objects.filter(contract=contract, household=resident.household).count() == 1


def _user(username):
    from orgs.models import User

    return User.objects.get(username=username)


def test_in_the_demo_every_role_has_work_today():
    """What each demo log-in finds waiting, checked through the services and selectors it uses."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from contracts import delivery
    from evaluations.selectors import rateable_contracts
    from evaluations.services import rating_edit_deadline
    from marketplace.models import BidScore, Question
    from orgs.models import Household, Resident

    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()

    # Residents: resident1 has two services to rate; resident2 may still change yesterday's rating.
    rateable = {row["contract"].title for row in rateable_contracts(user=_user("resident1"))}
    assert rateable == {"长者助浴服务", "玉林片区居家养老服务"}
    rating = Rating.objects.get(rater=_user("resident2"), contract__title="长者助浴服务")
    assert rating.evaluation.status == "open" and rating_edit_deadline(rating) > timezone.now()

    # The provider: a contract in its service period, where a service can be logged today; another to sign.
    active = Contract.objects.filter(provider__name="成都同行社会工作服务中心", status="active")
    assert active.count() == 2
    home_care = active.get(title="玉林片区居家养老服务")
    assert home_care.service_start <= today <= home_care.service_end
    delivery.service_event_create(
        actor=_user("provider1"),
        contract=home_care,
        date=today,
        area=home_care.tender.areas.get(),
        title="入户探访",
        description="",
        recipient_codes=["WH0001"],
    )
    assert Contract.objects.get(status="draft").title == "社区心理健康服务"

    # Evaluators: every opened bid of 助残康复服务 is theirs to score.
    disability = Tender.objects.get(title="助残康复服务")
    assert disability.status == "evaluating" and disability.bids.filter(status="opened").count() == 2
    assert not BidScore.objects.filter(bid__tender=disability).exists()

    # The officer: a scored tender to award, a question to answer, a contract to sign.
    from marketplace import services as market
    from marketplace.selectors import ranking_of

    neighbourhood = Tender.objects.get(title="社区邻里节活动策划")
    market.tender_award(actor=_user("officer"), tender=neighbourhood, bid=ranking_of(neighbourhood)[0].bid)
    assert Question.objects.filter(answered_at__isnull=True, tender__status="published").count() == 1

    # Finance: an interim instalment to pay and a treasury payment awaiting its voucher.
    assert Instalment.objects.filter(kind="interim", status="payable").count() == 1
    assert Payment.objects.get(status="processing").instalment.contract.title == "长者助浴服务"

    # The assessor and the committee: scores to enter on the bathing service's open midterm.
    midterm = Evaluation.objects.get(contract__title="长者助浴服务", stage="midterm")
    assert midterm.status == "open"
    assert (midterm.third_party, midterm.community, midterm.buyer) == (None, None, None)
    from evaluations import services as evaluation_services

    evaluation_services.evaluation_score(
        actor=_user("assessor"), evaluation=midterm, component="third_party", score=Decimal(80)
    )
    evaluation_services.evaluation_score(
        actor=_user("community"), evaluation=midterm, component="community", score=Decimal(85)
    )

    # Both collect ratings for households without a phone (docs/rules.md §10.6); the midterm has
    # not_received answers online and assisted for the officer and the assessor to see (§11.10).
    from evaluations.selectors import tallies_of

    tallies = tallies_of(midterm)
    assert tallies["by_channel"]["assisted"]["n"] == 1 and tallies["not_received"] == 2
    unrated = (
        Household.objects.filter(service_events__contract=midterm.contract)
        .exclude(ratings__evaluation=midterm)
        .exclude(code="WH0001")  # resident1 rates online
        .distinct()
        .order_by("code")
        .first()
    )
    assert unrated is not None
    recorded = evaluation_services.rating_record_assisted(
        actor=_user("community"),
        evaluation=midterm,
        household_code=unrated.code.lower(),
        satisfaction=4,
        resolved="yes",
        comment="",
        method="paper",
        client_address=None,
    )
    assert recorded.channel == "assisted"

    # The committee also has a registration to confirm.
    assert Resident.objects.get(status="pending").household == Household.objects.get(code="WH0007")
    assert today - datetime.timedelta(days=1) <= timezone.localtime(rating.created_at).date() <= today


def test_the_demo_tells_a_story_a_reader_from_the_sector_believes():
    """Contracts run over their tender's service period; services come after signing, within the
    period and never in the future; tenders start their service after the bid deadline."""
    from django.utils import timezone
    from django_fsm_log.models import StateLog

    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    for tender in Tender.objects.all():
        assert timezone.localtime(tender.bid_deadline).date() < tender.service_start < tender.service_end
    for contract in Contract.objects.select_related("tender"):
        assert (contract.service_start, contract.service_end) == (
            contract.tender.service_start,
            contract.tender.service_end,
        )
        activated = StateLog.objects.for_(contract).filter(transition="activate").first()
        for event in contract.events.all():
            assert activated is not None
            assert timezone.localtime(activated.timestamp).date() <= event.date <= today
            assert contract.service_start <= event.date <= contract.service_end
        for rating in Rating.objects.filter(contract=contract):
            assert timezone.localtime(rating.created_at).date() >= min(e.date for e in contract.events.all())
    # Beneficiaries fit the service: no after-school programme for elderly people living alone.
    after_school = Tender.objects.get(title="四点半课堂与青少年托管服务")
    assert "老人" not in after_school.beneficiaries and "小学生" in after_school.beneficiaries


def test_in_the_demo_a_contract_was_varied_and_another_variation_awaits_the_provider():
    """Home care's value was raised by 5 % (signed by both, within the cap; the ledger still adds
    up); bathing's weekend visits await the provider's signature on its contract page."""
    from contracts.models import Variation
    from contracts.settlement import ledger_invariant_holds

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    varied = Variation.objects.get(status="effective")
    contract = varied.contract
    assert varied.kind == "value" and contract.title == "玉林片区居家养老服务"
    assert varied.bureau_signed_at and varied.provider_signed_at
    assert contract.value_amount == varied.value_before + varied.value_delta
    assert 0 < varied.value_delta <= contract.bid.price_amount // 10
    assert sum(contract.instalments.values_list("amount", flat=True)) == contract.value_amount
    assert ledger_invariant_holds(contract)

    proposed = Variation.objects.get(status="proposed")
    assert proposed.contract.title == "长者助浴服务"
    assert proposed.bureau_signed_at and proposed.provider_signed_at is None
    provider = english_client(User.objects.get(username="provider1"))
    assert f"/provider/variations/{proposed.pk}/sign/" in page(provider.get("/provider/"))
    assert "+¥" in page(english_client().get(f"/contracts/{contract.pk}/"))


def test_the_demo_is_not_loaded_on_a_deployment(settings):
    """A deployment sets its own secret key: the demo's admin and its public password stay out."""
    from django.core.management.base import CommandError

    from orgs.models import User

    settings.SECRET_KEY = "a-real-deployment-key-0123456789abcdef0123456789abcdef"
    with pytest.raises(CommandError, match="deployment"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
    call_command("seed_demo", "--on-a-deployment", stdout=StringIO())
    assert User.objects.filter(username="admin").exists()


def test_the_demo_carries_documents_a_reader_can_open():
    """Every tender carries its tender documents (a real PDF), 成都同行's bids their qualification
    evidence, and the bathing service's first event a sign-in sheet (a PNG); none is tampered."""
    from django.core.files.storage import storages
    from django.test import Client

    from contracts.models import ServiceEvent
    from demo.seed import BRIEFS
    from documents.models import Document
    from documents.services import stored_hash
    from marketplace.models import Bid

    call_command("seed_demo", stdout=StringIO())

    tenders = Tender.objects.all()
    assert all(Document.objects.of(tender).filter(kind="tender_documents").exists() for tender in tenders)
    evidence = Document.objects.filter(kind="qualification")
    assert evidence.exists()
    assert {document.owner.provider.name for document in evidence} == {"成都同行社会工作服务中心"}
    assert not Bid.objects.filter(tampered_at__isnull=False).exists()
    sheet = Document.objects.get(kind="sign_in_sheet")
    assert isinstance(sheet.owner, ServiceEvent)
    assert sheet.owner.contract.tender.title == BRIEFS["bathing"].title
    for document in Document.objects.all():
        assert stored_hash(document) == document.sha256
        with storages["documents"].open(document.storage_name, "rb") as stored:
            head = stored.read(8)
        assert (
            head.startswith(b"%PDF-")
            if document.media_type == "application/pdf"
            else head.startswith(b"\x89PNG")
        )
    published = tenders.filter(status="published").first()
    page = Client().get(f"/tenders/{published.pk}/")
    assert "招标文件".encode() in page.content


def test_in_the_demo_an_amendment_moved_a_deadline_and_bidders_see_their_scores():
    """docs/rules.md §17.3, §17.4: the open after-school tender was amended today (its deadline
    moved, the bid submitted before it flagged); the awarded tenders have their notices, and the
    losing provider sees its own scores and rank."""
    from django.conf import settings
    from django.utils import timezone

    from demo.seed import BRIEFS
    from marketplace.models import Award, Bid, TenderAmendment

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    amendment = TenderAmendment.objects.get()
    tender = amendment.tender
    assert tender.title == BRIEFS["after_school"].title and tender.status == "published"
    assert amendment.deadline_moved and {"description", "kpis", "bid_deadline"} <= set(amendment.changes)
    remaining = tender.bid_deadline - amendment.published_at
    assert remaining.days >= settings.MARKETPLACE_CLARIFICATION_DAYS
    assert tender.questions_until > timezone.now()
    bid = Bid.objects.get(tender=tender, status="submitted")
    banner = "The tender was amended after you submitted"
    assert banner in page(english_client(_user("provider2")).get(f"/provider/bids/{bid.pk}/"))
    assert amendment.reason in page(english_client().get(f"/tenders/{tender.pk}/"))

    awarded = Tender.objects.filter(status__in=["award_proposed", "awarded"])
    assert awarded and all(Award.objects.filter(tender=t).exists() for t in awarded)
    culture = Tender.objects.get(title=BRIEFS["culture"].title)
    loser = culture.bids.get(provider__memberships__user__username="provider2")
    text = page(english_client(_user("provider2")).get(f"/provider/bids/{loser.pk}/"))
    assert 'data-testid="own-standing"' in text and 'data-testid="own-rank">2<' in text


def test_in_the_demo_a_provider_is_excluded_and_a_score_is_flagged():
    """docs/rules.md §17.6, §17.7: 锦江益民's terminated contract excludes it (on the public list, and
    its pages say so); 爱有戏's exclusion was lifted; the ranking of 社区邻里节 flags evaluator3's score."""
    from marketplace.models import Exclusion
    from marketplace.selectors import exclusion_in_force, ranking_of

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    excluded = Exclusion.objects.get(provider__name="锦江益民社工服务社")
    assert excluded.source == "contract_terminated" and excluded.is_in_force
    assert Contract.objects.get(pk=excluded.contract_ref).status == "terminated"
    assert exclusion_in_force(excluded.provider) == excluded
    lifted = Exclusion.objects.get(provider__name="武侯区爱有戏社区发展中心")
    assert lifted.status == "lifted" and lifted.lift_reason
    assert exclusion_in_force(lifted.provider) is None

    public = page(english_client().get("/exclusions/"))
    assert "锦江益民社工服务社" in public and "武侯区爱有戏社区发展中心" not in public
    assert "武侯区爱有戏社区发展中心" in page(english_client().get("/exclusions/?status=lifted"))
    provider3 = page(english_client(_user("provider3")).get("/provider/"))
    assert "excluded from submitting bids until" in provider3

    neighbourhood = Tender.objects.get(title="社区邻里节活动策划")
    flagged = [
        (score.evaluator_name, score.score)
        for row in ranking_of(neighbourhood)
        for score in row.individual_scores
        if score.is_outlier
    ]
    assert flagged == [("评审专家3", Decimal(40))]
    officer = page(english_client(_user("officer")).get(f"/bureau/tenders/{neighbourhood.pk}/ranking/"))
    assert 'data-testid="outlier"' in officer


def test_the_demo_shows_a_challenge_awaiting_its_reply_and_a_decided_complaint():
    """docs/rules.md §17.5 in the demo: 社区文化活动中心运营's award is held by a challenge whose reply
    is due in a few working days; 社区心理健康服务's challenge and complaint were dismissed (with the
    review body's reasoning) before its award was finalized."""
    from django.utils import timezone

    from challenges.models import Challenge, Complaint
    from marketplace.models import Award
    from orgs.models import User

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    pending = Challenge.objects.get(tender__title="社区文化活动中心运营")
    assert pending.status == "submitted" and pending.reply_due > timezone.now()
    assert Award.objects.get(tender=pending.tender).status == "challenged"
    from documents.models import Document

    assert Document.objects.of(pending).get().kind == "evidence"  # read by the parties only
    complaint = Complaint.objects.get(challenge__tender__title="社区心理健康服务")
    assert (complaint.status, complaint.challenge.status) == ("dismissed", "dismissed")
    assert complaint.reasoning and complaint.review_body.name == "武侯区财政局"
    assert Award.objects.get(tender=complaint.challenge.tender).status == "confirmed"

    officer = english_client(User.objects.get(username="officer"))
    assert "Reply to the challenge of the award of" in page(officer.get("/bureau/"))
    reviewer = english_client(User.objects.get(username="reviewer"))
    assert "社区心理健康服务" in page(reviewer.get("/review/"))
    evidence = Document.objects.of(complaint.challenge).get()
    assert evidence.sha256 in page(reviewer.get(f"/review/complaints/{complaint.pk}/"))
    assert english_client().get(f"/documents/{evidence.pk}/download/").status_code == 404


def test_the_demo_leaves_an_appeal_for_the_officer_or_the_review_body_to_decide():
    """Appeals (docs/rules.md §11.7): 爱有戏 appealed the published midterm of 社区老年人健康管理服务
    with its evidence; the window is open; the officer and the reviewer have it to decide."""
    from documents.models import Document
    from evaluations.models import Appeal
    from evaluations.selectors import appeals_to_decide

    call_command("seed_demo", stdout=StringIO())
    appeal = Appeal.objects.get()
    assert appeal.status == "open" and appeal.evaluation.is_appeal_window_open
    assert appeal.evaluation.contract.title == "社区老年人健康管理服务"
    assert (appeal.published_composite, appeal.claimed_composite) == (Decimal("70.55"), Decimal("75.75"))
    assert Document.objects.of(appeal).count() == 1
    for username in ("officer", "reviewer"):
        assert list(appeals_to_decide(user=_user(username))) == [appeal]


def test_the_demo_shows_residents_needs_on_their_way_and_a_tender_answering_two():
    """Residents' needs (docs/rules.md §22) in 玉林北路社区, one in every state: one delivered by a
    contract that completed through its final evaluation (its satisfaction public), two answered by
    the home-care contract, one by the after-school tender open for bids, one accepted and waiting,
    one rejected with its reason, one waiting for the committee (its work today)."""
    from evaluations.selectors import satisfaction_by_contract
    from needs.models import Need
    from needs.permissions import council_paths

    call_command("seed_demo", stdout=StringIO())

    statuses = sorted(Need.objects.values_list("status", flat=True))
    assert set(statuses) == set(Need.Status.values)
    assert statuses == sorted(
        ["delivered", "contracted", "contracted", "tendered", "accepted", "rejected", "submitted"]
    )
    delivered = Need.objects.get(status="delivered")
    contract = Contract.objects.get(tender__needs=delivered)
    assert delivered.proposed_by == _user("resident1")
    assert contract.status == "closed" and not contract.instalments.exclude(status="paid").exists()
    assert Evaluation.objects.get(contract=contract, stage="final").status == "final"
    satisfaction = satisfaction_by_contract([contract.pk])[contract.pk]
    assert not satisfaction["hidden"] and satisfaction["count"] >= 10
    home_care = Tender.objects.get(title="玉林片区居家养老服务")
    assert home_care.needs.count() == 2 and not home_care.initiative_reason
    assert Tender.objects.get(title="四点半课堂与青少年托管服务").needs.get().status == "tendered"
    rejected = Need.objects.get(status="rejected")
    assert rejected.deliberation.reason == "other_responsible_body" and rejected.deliberation.explanation
    assert all(need.supporters >= 2 for need in Need.objects.all())
    waiting = Need.objects.get(status="submitted")
    assert any(waiting.community.path.startswith(path) for path in council_paths(_user("community")))
    # the committee's "Waiting for you": the need for its council, the task sent yesterday
    from frontend.waiting import tasks_for

    counts = {task.url: task.count for task in tasks_for(_user("community"), "community")}
    assert counts["/community/needs/"] == 1 and counts["/community/tasks/"] == 1
    assert Tender.objects.filter(needs__isnull=True).exclude(initiative_reason="").count() == (
        Tender.objects.filter(needs__isnull=True).count()
    )
