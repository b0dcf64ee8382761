"""Each role's main journey in the demo, as a new user makes it: open the landing page, sign in
through the menu, follow "waiting for you" to the work and do it, by clicking only — never by
typing an address. Every journey runs on a desktop in Simplified Chinese and on a 360-pixel phone
in English, and no page it visits may be wider than the screen."""

import datetime
import re

import pytest
from django.utils import timezone

from contracts.models import Contract, Instalment, ServiceEvent
from demo.seed import PASSWORD, seed
from evaluations.models import Evaluation, Rating
from marketplace.models import BidScore, EvaluatorDeclaration, Question, Tender
from orgs.models import Resident
from payments.models import Payment

from .helpers import has_no_horizontal_scroll, screenshot

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "en-GB"}
SCREENS = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop-zh", "phone-en"])


@pytest.fixture
def demo(live_server):
    """The demo, loaded through the services as `make run` loads it."""
    seed()


class Visit:
    """One person's visit: their browser page, checked on every page it reaches."""

    def __init__(self, new_page, screen: dict, username: str, area: str) -> None:
        self.page = new_page(**screen)
        self.area = area  # the landing page of the user's area, e.g. /bureau/
        self.phone = screen["viewport"]["width"] < 600
        self.lang = "en" if screen["locale"].startswith("en") else "zh-Hans"
        self.username = username
        self.page.goto("/")
        self.check()
        self.menu()
        self.click(self.page.locator("a.govuk-service-navigation__link[href^='/accounts/login/']"))
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.click(self.page.locator("main form button[type=submit]"))

    def check(self) -> None:
        """The page is in the visit's language and fits the screen."""
        page = self.page
        assert page.locator("html").get_attribute("lang") == self.lang, page.url
        fits, scroll_width, inner_width = has_no_horizontal_scroll(page)
        assert fits, f"{page.url} is {scroll_width}px wide on a {inner_width}px screen"

    def menu(self) -> None:
        """On a phone the service navigation is behind its toggle."""
        toggle = self.page.locator(".govuk-service-navigation__toggle")
        if self.phone and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()

    def click(self, locator) -> None:
        """Click and wait for the page that follows; then check it."""
        with self.page.expect_navigation():
            locator.first.click()
        self.check()

    def submit(self, form=None) -> None:
        """Press the (first) submit button of ``form`` (default: the main content's first form);
        the page that follows shows no error."""
        form = form if form is not None else self.page.locator("main form").first
        self.click(form.locator("button[type=submit]"))
        summary = self.page.locator(".govuk-error-summary")
        assert not summary.count(), f"{self.page.url}: {summary.inner_text()}"

    def enter(self) -> None:
        """From the landing page, into the user's area through "your work"."""
        if not self.page.url.endswith(self.area):
            self.click(self.page.locator(f"main a[href='{self.area}']"))

    def work(self, href: str) -> None:
        """From wherever the visit is, reach the work waiting at ``href`` (a regular expression on
        the link's address): the landing page's "your work" links lead to the area's waiting list."""
        if not self.page.locator("[data-testid=waiting] a").count():
            self.click(self.page.locator(f"main a[href='{self.area}']"))
        links = [
            a
            for a in self.page.locator("[data-testid=waiting] a").all()
            if re.search(href, a.get_attribute("href"))
        ]
        assert links, f"nothing matching {href} waits for {self.username} at {self.page.url}"
        self.click(links[0])

    def home(self) -> None:
        """Back to the area's landing page through the service navigation."""
        self.menu()
        self.click(self.page.locator(f".govuk-service-navigation a[href='{self.area}']"))


def _shot(visit: Visit, name: str) -> None:
    screenshot(visit.page, f"demo-{name}-{'phone' if visit.phone else 'desktop'}")


@SCREENS
def test_officer_awards_answers_and_signs(new_page, demo, screen):
    visit = Visit(new_page, screen, "officer", "/bureau/")
    neighbourhood = Tender.objects.get(title="社区邻里节活动策划")

    visit.work(rf"/bureau/tenders/{neighbourhood.pk}/ranking/")
    _shot(visit, "officer-ranking")
    visit.click(visit.page.locator(f"main a[href^='/bureau/tenders/{neighbourhood.pk}/award/']"))
    visit.submit()
    assert Tender.objects.get(pk=neighbourhood.pk).status == "award_proposed"

    visit.home()
    question = Question.objects.get(answered_at__isnull=True)
    visit.work(rf"/bureau/tenders/{question.tender_id}/questions/")
    visit.page.locator(f"#id_q{question.pk}-answer").fill("兴趣营人次单独统计，不计入课后托管人次。")
    visit.submit(visit.page.locator(f"form[action$='/questions/{question.pk}/answer/']"))
    assert Question.objects.get(pk=question.pk).answered_at is not None

    visit.home()
    contract = Contract.objects.get(status="draft")
    visit.work(rf"/bureau/contracts/{contract.pk}/sign/")
    visit.submit()
    assert Contract.objects.get(pk=contract.pk).bureau_signed_at is not None


@SCREENS
def test_finance_pays_an_instalment_and_confirms_a_voucher(new_page, demo, screen):
    visit = Visit(new_page, screen, "finance", "/bureau/")
    interim = Instalment.objects.get(kind="interim", status="payable")
    visit.work(rf"/bureau/instalments/{interim.pk}/pay/")
    _shot(visit, "finance-pay")
    visit.submit()
    assert Payment.objects.filter(instalment=interim).exists()

    visit.home()
    payment = Payment.objects.get(instalment__contract__title="长者助浴服务")
    visit.work(rf"/bureau/payments/{payment.pk}/confirm/")
    visit.page.locator("#id_voucher_number").fill("GK2026-001207")
    visit.submit()
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


@SCREENS
def test_evaluator_declares_and_scores_the_bids(new_page, demo, screen):
    visit = Visit(new_page, screen, "evaluator1", "/bureau/")
    tender = Tender.objects.get(title="助残康复服务")
    visit.work(rf"/bureau/tenders/{tender.pk}/declaration/")
    visit.page.locator("#id_no_conflict").check()
    visit.submit()
    assert EvaluatorDeclaration.objects.filter(tender=tender, evaluator__username="evaluator1").exists()

    if "/scores/" not in visit.page.url:  # the declaration leads to the scoring, or the list does
        visit.home()
        visit.work(rf"/bureau/tenders/{tender.pk}/scores/")
    for form in visit.page.locator("main form:has(input[id*='-criterion_'])").all():
        for field in form.locator("input[id*='-criterion_']").all():
            field.fill("82")
        with visit.page.expect_response(lambda response: response.request.method == "POST"):
            form.locator("button[type=submit]").click()
    visit.check()
    _shot(visit, "evaluator-scores")  # after the htmx posts: a CDP screenshot upsets htmx's next swap
    assert BidScore.objects.filter(bid__tender=tender, evaluator__username="evaluator1").count() == 4


@SCREENS
def test_provider_logs_a_service_and_signs_a_contract(new_page, demo, screen):
    visit = Visit(new_page, screen, "provider1", "/provider/")
    contract = Contract.objects.get(title="玉林片区居家养老服务")
    before = ServiceEvent.objects.filter(contract=contract).count()
    visit.work(rf"/provider/contracts/{contract.pk}/events/new/")
    _shot(visit, "provider-event")
    visit.page.locator("#id_date").fill(timezone.localdate().isoformat())
    visit.page.locator("#id_area").select_option(label="玉林北路社区")
    visit.page.locator("#id_title").fill("高龄老人入户探访")
    visit.page.locator("#id_description").fill("社工入户，协助两位老人预约家庭医生。")
    visit.page.locator("#id_recipients").fill("WH0001, wh0002")
    visit.submit()
    assert ServiceEvent.objects.filter(contract=contract).count() == before + 1

    visit.home()
    draft = Contract.objects.get(status="draft")
    visit.work(rf"/provider/contracts/{draft.pk}/sign/")
    visit.submit()
    assert Contract.objects.get(pk=draft.pk).provider_signed_at is not None


@SCREENS
def test_assessor_enters_the_third_party_score_and_the_survey(new_page, demo, screen):
    visit = Visit(new_page, screen, "assessor", "/assessor/")
    evaluation = Evaluation.objects.get(contract__title="长者助浴服务", stage="midterm")
    visit.work(rf"/assessor/evaluations/{evaluation.pk}/")
    _shot(visit, "assessor-evaluation")
    visit.page.locator("#id_third_party-score").fill("82.5")
    visit.submit(visit.page.locator("form[action$='/score/']"))
    visit.page.locator("#id_survey-n").fill("30")
    visit.page.locator("#id_survey-n_pos").fill("26")
    visit.submit(visit.page.locator("form[action$='/survey/']"))
    evaluation.refresh_from_db()
    assert (evaluation.third_party, evaluation.survey_n, evaluation.survey_n_pos) == (82.5, 30, 26)


@SCREENS
def test_committee_confirms_a_resident_and_enters_its_score(new_page, demo, screen):
    visit = Visit(new_page, screen, "community", "/community/")
    newcomer = Resident.objects.get(status="pending")
    visit.work(r"/community/residents/$")
    visit.click(visit.page.locator(f"main a[href='/community/residents/{newcomer.pk}/']"))
    visit.page.locator("input[name=decision][value=confirm]").check()
    visit.submit()
    assert Resident.objects.get(pk=newcomer.pk).status == "confirmed"

    visit.home()
    evaluation = Evaluation.objects.get(contract__title="长者助浴服务", stage="midterm")
    visit.work(rf"/community/evaluations/{evaluation.pk}/")
    visit.page.locator("#id_community-score").fill("88")
    visit.submit(visit.page.locator("form[action$='/score/']"))
    evaluation.refresh_from_db()
    assert evaluation.community == 88


@SCREENS
def test_resident_rates_a_service(new_page, demo, screen):
    visit = Visit(new_page, screen, "resident1", "/resident/")
    contract = Contract.objects.get(title="长者助浴服务")
    visit.work(rf"/resident/rate/{contract.pk}/$")
    visit.page.locator("input[name=satisfaction][value='5']").check()
    visit.submit()
    visit.page.locator("input[name=resolved][value=yes]").check()
    visit.submit()
    visit.page.locator("textarea[name=comment]").fill("助浴员很专业。")
    visit.submit()
    _shot(visit, "resident-check")
    visit.submit()
    rating = Rating.objects.get(contract=contract, rater__username="resident1")
    assert (rating.satisfaction, rating.resolved, rating.comment) == (5, "yes", "助浴员很专业。")


@SCREENS
def test_resident_changes_yesterdays_rating(new_page, demo, screen):
    visit = Visit(new_page, screen, "resident2", "/resident/")
    rating = Rating.objects.get(contract__title="长者助浴服务", rater__username="resident2")
    assert rating.satisfaction == 4
    visit.work(rf"/resident/ratings/{rating.pk}/change/")
    visit.click(visit.page.locator("main a[href$='/change/satisfaction/']"))
    visit.page.locator("input[name=satisfaction][value='5']").check()
    visit.submit()
    while "/check/" not in visit.page.url:
        visit.submit()
    visit.submit()
    rating.refresh_from_db()
    assert rating.satisfaction == 5 and rating.created_at > timezone.now() - datetime.timedelta(days=7)


@SCREENS
def test_pending_provider_reads_tenders_and_learns_why_it_cannot_bid(new_page, demo, screen):
    visit = Visit(new_page, screen, "provider_pending", "/provider/")
    visit.enter()
    visit.click(visit.page.locator("main a[href='/provider/tenders/']"))
    visit.click(visit.page.locator("main a[href^='/provider/tenders/']").filter(has_text="四点半课堂"))
    assert visit.page.locator("main a[href$='/bid/'], main a[href$='/questions/new/']").count() == 0
    assert visit.page.locator("main a[href='/provider/']").count() >= 1  # to its status: why it waits


@SCREENS
def test_newcomer_learns_that_the_committee_confirms_them(new_page, demo, screen):
    visit = Visit(new_page, screen, "newcomer", "/resident/")
    visit.enter()
    assert visit.page.locator("[data-testid=waiting] a").count() == 0
    assert "WH0007" in visit.page.locator("main").inner_text()
