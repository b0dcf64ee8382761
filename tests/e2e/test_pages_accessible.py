"""Every page the journeys do not cover, in both languages (the language cookie), signed in as the
role that uses it: no serious or critical axe-core violation, exactly one <h1>, and ``html[lang]``
matching the language. Each test visits a group of pages built on the same data and reports every
page's problems together, so one faulty page does not hide the others."""

import pytest

from evaluations.models import Rating
from evaluations.services import evaluation_finalize
from orgs.models import Organization
from tests import flows

from .helpers import assert_accessible, screenshot, sign_in

HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}
# The README's screenshots are of the default language.
SCREENSHOT_LANGUAGE = "zh-hans"


@pytest.fixture(params=["zh-hans", "en"])
def language(request) -> str:
    return request.param


class Pages:
    """Opens pages as one user in one language and records what is wrong with each."""

    def __init__(self, new_page, live_server, language: str, problems: list[str], user=None):
        self.live_server = live_server
        self.language = language
        self.problems = problems
        self.page = new_page()
        self.page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        self.who = user.username if user is not None else "anonymous"
        if user is not None:
            sign_in(self.page, live_server, user.username)

    def open(self, path: str, *, status: int = 200, shot: str | None = None, label: str = ""):
        response = self.page.goto(path)
        label = f"{label or path} as {self.who} in {self.language}"
        if response is None or response.status != status:
            got = response.status if response is not None else "no response"
            self.problems.append(f"{label}: HTTP {got}, expected {status} (at {self.page.url})")
            return response
        self.check(label, shot=shot)
        return response

    def check(self, label: str, *, shot: str | None = None) -> None:
        page = self.page
        lang = page.locator("html").get_attribute("lang")
        if lang != HTML_LANG[self.language]:
            self.problems.append(f"{label}: html[lang] is {lang!r}, expected {HTML_LANG[self.language]!r}")
        headings = page.locator("h1").all_inner_texts()
        if len(headings) != 1:
            self.problems.append(f"{label}: {len(headings)} <h1> elements {headings}, expected exactly one")
        try:
            assert_accessible(page, label=label)
        except AssertionError as error:
            self.problems.append(str(error))
        if shot and self.language == SCREENSHOT_LANGUAGE:
            screenshot(page, shot)


@pytest.fixture
def problems():
    """The problems of every page a test visits, failed together at the end."""
    found: list[str] = []
    yield found
    if found:
        pytest.fail(f"{len(found)} page problem(s):\n" + "\n".join(found), pytrace=False)


SERVICE_TITLE = "武侯区居家养老助餐服务"
PROVIDER_NAME = "成都市武侯区乐龄社会工作服务中心"


def delivering(world, households: int) -> dict:
    """``flows.delivering_contract`` with a Chinese title and provider name (the screenshots)."""
    provider = world["providers"][0]
    provider.name = PROVIDER_NAME
    provider.save(update_fields=["name"])
    return flows.delivering_contract(world, households=households, title=SERVICE_TITLE)


def published_with_ratings(world) -> dict:
    """A delivering contract whose five recipient households rated it (varied answers, so the
    satisfaction chart shows) and whose first evaluation is published."""
    objects = delivering(world, households=5)
    contract, evaluation = objects["contract"], objects["evaluation"]
    for resident, satisfaction in zip(objects["residents"], (5, 5, 4, 4, 3), strict=True):
        flows.rate(resident, contract, satisfaction)
    flows.score_components(world, evaluation)
    flows.submit_report(world, contract, evaluation.stage)
    objects["evaluation"] = evaluation_finalize(actor=world["officer"], evaluation=evaluation)
    return objects


# --- Public pages and the forms anyone can fill in --------------------------------------------------


def test_public_pages(new_page, live_server, world, language, problems):
    objects = published_with_ratings(world)
    contract = objects["contract"]
    tender = flows.published_tender(world, title="独居老人上门探访服务")
    assert Rating.objects.filter(contract=contract, status=Rating.Status.VALID).count() >= 5

    visitor = Pages(new_page, live_server, language, problems)
    visitor.open(f"/tenders/{tender.pk}/", label="public tender")
    visitor.open(f"/contracts/{contract.pk}/", label="public contract", shot="public-contract")
    page = visitor.page
    if page.locator("[data-testid=satisfaction-hidden]").count():
        problems.append("public contract: residents' satisfaction hidden with five valid ratings")
    if page.locator("canvas[data-chart]").count() < 2:
        problems.append("public contract: expected the scores chart and the satisfaction chart")
    visitor.open(f"/providers/{contract.provider_id}/", label="provider profile")
    visitor.open("/help/", label="help")
    visitor.open(f"/contracts/{contract.pk + 1000}/", status=404, label="a contract that does not exist")
    visitor.open("/no-such-page/", status=404, label="404 page")


def test_sign_up_and_registration_pages(new_page, live_server, world, language, problems):
    visitor = Pages(new_page, live_server, language, problems)
    page = visitor.page
    visitor.open("/accounts/signup/", label="resident sign-up")
    visitor.open("/provider/register/", label="provider registration: legal type")
    page.locator(f"input[name=legal_type][value={Organization.LegalType.SOCIAL_ORGANIZATION}]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if not page.url.endswith("/provider/register/details/"):
        problems.append(f"provider registration: eligible legal type led to {page.url}")
    visitor.check(f"provider registration: details in {language}")


@pytest.mark.parametrize(
    ("path", "field"),
    [("/accounts/signup/", "household_code"), ("/provider/register/", "legal_type")],
    ids=["resident-sign-up", "provider-legal-type"],
)
def test_a_form_with_validation_errors(new_page, live_server, world, language, problems, path, field):
    visitor = Pages(new_page, live_server, language, problems)
    page = visitor.page
    visitor.open(path)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    label = f"{path} submitted empty in {language}"
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, f"{label}: no error summary"
    assert page.title().startswith({"zh-hans": "错误：", "en": "Error:"}[language]), page.title()
    anchors = [a.get_attribute("href") for a in summary.locator("a").all()]
    field_id = page.locator(f"[name={field}]").first.get_attribute("id")
    assert f"#{field_id}" in anchors, f"{label}: summary links {anchors}, none to #{field_id}"
    visitor.check(label, shot="resident-sign-up-errors" if field == "household_code" else None)


# --- Case work: the bureau, finance, the assessor, the community, residents -------------------------


def test_bureau_case_work_pages(new_page, live_server, world, language, problems):
    objects = delivering(world, households=2)
    contract, evaluation = objects["contract"], objects["evaluation"]
    quarantined = flows.quarantined_rating(objects["residents"][0], contract)
    assert quarantined.status == Rating.Status.QUARANTINED

    officer = Pages(new_page, live_server, language, problems, world["officer"])
    officer.open("/bureau/contracts/", label="bureau contracts")
    officer.open(f"/bureau/contracts/{contract.pk}/", label="bureau contract", shot="casework-contract")
    officer.open(f"/bureau/evaluations/{evaluation.pk}/", label="bureau evaluation (open)")
    officer.open("/bureau/ratings/", label="quarantined ratings", shot="casework-ratings")
    if officer.page.locator(f"a[href='/bureau/ratings/{quarantined.pk}/review/']").count() != 1:
        problems.append("bureau ratings: the quarantined rating is not listed for review")
    officer.open(f"/bureau/ratings/{quarantined.pk}/review/", label="rating review")

    finance = Pages(new_page, live_server, language, problems, world["finance"])
    finance.open("/bureau/payments/", label="payments", shot="finance-payments")


def test_bureau_published_evaluation_page(new_page, live_server, world, language, problems):
    objects = published_with_ratings(world)
    officer = Pages(new_page, live_server, language, problems, world["officer"])
    officer.open(
        f"/bureau/evaluations/{objects['evaluation'].pk}/",
        label="bureau evaluation (published)",
        shot="casework-evaluation",
    )


def test_assessor_pages(new_page, live_server, world, language, problems):
    objects = delivering(world, households=1)
    contract, evaluation = objects["contract"], objects["evaluation"]
    assessor = Pages(new_page, live_server, language, problems, world["assessor_member"])
    assessor.open("/assessor/", label="assessor home", shot="assessor-home")
    assessor.open(f"/assessor/contracts/{contract.pk}/", label="assessor contract", shot="assessor-contract")
    assessor.open(
        f"/assessor/evaluations/{evaluation.pk}/", label="assessor evaluation", shot="assessor-evaluation"
    )


def test_community_pages(new_page, live_server, world, language, problems):
    objects = delivering(world, households=1)
    contract, evaluation = objects["contract"], objects["evaluation"]
    community = Pages(new_page, live_server, language, problems, world["community_member"])
    community.open("/community/", label="community home", shot="community-home")
    community.open(f"/community/contracts/{contract.pk}/", label="community contract")
    community.open(
        f"/community/evaluations/{evaluation.pk}/", label="community evaluation", shot="community-evaluation"
    )


def test_resident_home_and_forbidden_page(new_page, live_server, world, language, problems):
    objects = delivering(world, households=2)
    rated, not_yet = objects["residents"]
    flows.quarantined_rating(rated, objects["contract"])

    resident = Pages(new_page, live_server, language, problems, not_yet.user)
    resident.open("/resident/", label="resident home with a service to rate")
    resident.open("/bureau/contracts/", status=403, label="403 page")

    checked = Pages(new_page, live_server, language, problems, rated.user)
    checked.open("/resident/", label="resident home with a rating being checked")
