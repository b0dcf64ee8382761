"""Demo data, created through the same services users call, so it obeys every rule. The story is
played at the moments it happened: each step runs with the clock moved back to its day
(``time_machine``), so every date — a tender's deadline, a signature, a service, a rating, the log
of each transition — is the one a reader from the sector would expect, relative to today.

Today every role has live work: residents have services to rate (and one a rating they may still
change), the provider a contract in its service period and one to sign, evaluators bids to score,
the officer an award to make, questions to answer and a contract to sign, finance an instalment to
pay and a payment awaiting its voucher, the assessor and the committee scores to enter, and the
committee a registration to confirm."""

import datetime
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from challenges import services as challenge_services
from communitytasks import services as community_tasks
from contracts import delivery
from contracts import services as contract_services
from contracts.models import Contract, ServiceEvent
from documents import services as document_services
from documents.models import Document
from evaluations import appeals as appeal_services
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, Rating
from marketplace import services as market
from marketplace.models import BudgetLine, CatalogueItem, Criterion, Exclusion, Tender
from marketplace.selectors import ranking_of
from needs import services as needs_services
from needs.models import Need
from orgs import services as org_services
from orgs.credit_code import check_character
from orgs.models import Area, GridPost, Household, Membership, Organization, Resident, User
from payments import services as payments

from .files import tiny_pdf, tiny_png

PASSWORD = "shequ-demo-2026"
BUREAU_CREDIT_STEM = "11510107MB0000001"
WORKING_HOUR = 10  # steps in the past happen at 10:00 Shanghai time on their day


def credit_code(stem: str) -> str:
    return stem + check_character(stem)


def is_seeded() -> bool:
    return Organization.objects.filter(credit_code=credit_code(BUREAU_CREDIT_STEM)).exists()


@contextmanager
def day(offset: int) -> Iterator[None]:
    """Run the block on the day ``offset`` days from today (negative: in the past), at 10:00 local
    time with the clock ticking; today's steps run now."""
    if offset >= 0:
        yield
        return
    local = timezone.localdate() + datetime.timedelta(days=offset)
    moment = timezone.make_aware(datetime.datetime.combine(local, datetime.time(WORKING_HOUR)))
    with time_machine.travel(moment, tick=True):
        yield


# --- People and places -----------------------------------------------------------------------------


def _user(username: str, display_name: str, **extra) -> User:
    """A demo account; its e-mail (console backend: printed in var/celery.log) lets the password
    reset be tried."""
    extra.setdefault("email", f"{username}@demo.shequ.example")
    user = User(username=username, display_name=display_name, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def _resident(username: str, display_name: str, household: Household, confirmed_by: User) -> Resident:
    """A resident confirmed by the bureau officer, through the logged service, as on the pages."""
    resident = Resident.objects.create(user=_user(username, display_name), household=household)
    return org_services.resident_confirm(actor=confirmed_by, resident=resident)


def _member(organization: Organization, username: str, display_name: str, role: str) -> User:
    user = _user(username, display_name)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def _areas(admin: User) -> dict[str, Area]:
    def add(name, code, level, parent=None):
        return org_services.area_create(actor=admin, name=name, code=code, level=level, parent=parent)

    district = add("武侯区", "510107", Area.Level.DISTRICT)
    areas = {"district": district}
    for street_code, street_name, communities in (
        ("510107-YL", "玉林街道", [("YLBL", "玉林北路社区"), ("YLDL", "玉林东路社区")]),
        ("510107-JXJ", "浆洗街街道", [("JXJ1", "锦里社区")]),
    ):
        street = add(street_name, street_code, Area.Level.STREET, district)
        areas[street_code] = street
        for community_code, community_name in communities:
            community = add(community_name, f"{street_code}-{community_code}", Area.Level.COMMUNITY, street)
            areas[community_code] = community
            for compound_index in (1, 2):
                compound = add(
                    f"{community_name}{compound_index}号院落",
                    f"{community.code}-Y{compound_index}",
                    Area.Level.COMPOUND,
                    community,
                )
                areas[compound.code] = compound
    return areas


@dataclass
class Cast:
    """Who is who in the demo district."""

    admin: User
    areas: dict[str, Area]
    bureau: Organization
    officer: User
    finance: User
    evaluators: list[User]
    providers: list[Organization]
    provider_admins: list[User]
    assessor: Organization
    assessor_user: User
    community: Organization
    community_user: User
    review_body: Organization
    reviewer: User
    items: dict[str, CatalogueItem] = field(default_factory=dict)
    line: BudgetLine | None = None

    @property
    def ylbl(self) -> Area:
        return self.areas["YLBL"]


def _organization(admin, kind, legal_type, name, stem, jurisdiction=None) -> Organization:
    return org_services.organization_create(
        actor=admin,
        kind=kind,
        legal_type=legal_type,
        name=name,
        credit_code=credit_code(stem),
        jurisdiction=jurisdiction,
    )


def _cast(fiscal_year: int) -> Cast:
    admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(
        username="admin", password=PASSWORD, display_name="平台管理员", email="admin@demo.shequ.example"
    )
    areas = _areas(admin)
    compounds = [area for area in areas.values() if area.level == Area.Level.COMPOUND]
    for index in range(40):
        compound = compounds[index % len(compounds)]
        Household.objects.create(code=f"WH{index + 1:04d}", area=compound, created_by=admin)

    Kind, Legal, Role = Organization.Kind, Organization.LegalType, Membership.Role
    bureau = _organization(
        admin, Kind.BUREAU, Legal.GOVERNMENT_AGENCY, "武侯区民政局", BUREAU_CREDIT_STEM, areas["district"]
    )
    officer = _member(bureau, "officer", "王科长", Role.OFFICER)
    finance = _member(bureau, "finance", "李会计", Role.FINANCE)
    _member(bureau, "bureau_admin", "局系统管理员", Role.ADMIN)
    evaluators = [_member(bureau, f"evaluator{n}", f"评审专家{n}", Role.EVALUATOR) for n in (1, 2)]

    providers, provider_admins = [], []
    for n, name in enumerate(
        ["成都同行社会工作服务中心", "武侯区爱有戏社区发展中心", "锦江益民社工服务社"], start=1
    ):
        provider = _organization(
            admin, Kind.PROVIDER, Legal.SOCIAL_ORGANIZATION, name, f"52510107MJ000000{n}"
        )
        providers.append(provider)
        provider_admins.append(_member(provider, f"provider{n}", f"{name[:4]}负责人", Role.ADMIN))
        _member(provider, f"provider{n}_staff", f"{name[:4]}社工", Role.STAFF)
    assessor = _organization(
        admin, Kind.ASSESSOR, Legal.ENTERPRISE, "四川第三方评估中心", "91510107MA0000001"
    )
    community = _organization(
        admin,
        Kind.COMMUNITY,
        Legal.GRASSROOTS_AUTONOMOUS,
        "玉林北路社区居委会",
        "57510107MC0000001",
        areas["YLBL"],
    )
    # The finance department that decides complaints about the district's bureaus (docs/rules.md §17.5).
    review_body = _organization(
        admin,
        Kind.REVIEW_BODY,
        Legal.GOVERNMENT_AGENCY,
        "武侯区财政局",
        "11510107MB0000002",
        areas["district"],
    )
    cast = Cast(
        admin=admin,
        areas=areas,
        bureau=bureau,
        officer=officer,
        finance=finance,
        evaluators=evaluators,
        providers=providers,
        provider_admins=provider_admins,
        assessor=assessor,
        assessor_user=_member(assessor, "assessor", "评估师张", Role.MEMBER),
        community=community,
        community_user=_member(community, "community", "社区书记", Role.MEMBER),
        review_body=review_body,
        reviewer=_member(review_body, "reviewer", "财政局审查员", Role.MEMBER),
    )
    # Residents of the first households (resident1 … resident5), and one confirmed resident in every
    # household of 玉林北路社区, where the contracts deliver.
    for n, household in enumerate(Household.objects.order_by("code")[:5], start=1):
        _resident(f"resident{n}", f"居民{n}", household, officer)
    for household in _households(cast.ylbl):
        if not household.residents.exists():
            _resident(f"resident_{household.code.lower()}", f"居民{household.code[-2:]}", household, officer)

    cast.items = {
        code: CatalogueItem.objects.create(code=code, name=name)
        for code, name in (
            ("A0101", "养老服务"),
            ("A0102", "未成年人保护"),
            ("A0201", "社区治理"),
            ("A0301", "助残服务"),
        )
    }
    cast.line = BudgetLine.objects.create(
        bureau=bureau,
        fiscal_year=fiscal_year,
        name="社区公共服务购买",
        source="department_budget",
        amount=300_000_000,
    )
    BudgetLine.objects.create(
        bureau=bureau,
        fiscal_year=fiscal_year,
        name="社区保障激励资金",
        source="community_fund",
        amount=50_000_000,
    )
    return cast


def _households(area: Area) -> list[Household]:
    return list(Household.objects.filter(area__path__startswith=area.path).order_by("code"))


# --- Residents' needs (docs/rules.md §22) ----------------------------------------------------------


def _need(
    cast: Cast, proposer: str, title: str, description: str, on: int, supporters: int, item: str
) -> Need:
    """A need ``proposer`` proposed on day ``on``, supported the next days by ``supporters`` more
    households of 玉林北路社区."""
    with day(on):
        need = needs_services.need_propose(
            actor=User.objects.get(username=proposer),
            title=title,
            description=description,
            catalogue_item_id=cast.items[item].pk,
        )
    others = Resident.objects.filter(household__area__path__startswith=cast.ylbl.path).exclude(
        household_id=need.household_id
    )
    for n, resident in enumerate(others.select_related("user").order_by("household__code")[:supporters]):
        with day(on + 1 + n % 5):
            needs_services.need_support(actor=resident.user, need=need)
    return need


def _council(cast: Cast, need: Need, on: int, decision: str, votes: tuple[int, int], **fields) -> None:
    with day(on):
        needs_services.need_deliberate(
            actor=cast.community_user,
            need=need,
            held_on=timezone.localdate(),
            minutes="居民议事会成员11人出席（社区两委、楼栋长、居民代表），听取提议人说明，逐项讨论后表决。",
            votes_for=votes[0],
            votes_against=votes[1],
            decision=decision,
            **fields,
        )


def _needs(cast: Cast) -> None:
    """What 玉林北路社区's residents asked for: one from last year that a short contract answered and
    delivered (``_delivered``), two needs the council accepted last spring that the home-care
    contract now answers, one the after-school tender answers, one accepted and waiting for a tender,
    one rejected (the property company's job), one waiting for the council."""
    scams = _need(
        cast,
        "resident1",
        NEED_SCAMS,
        "最近小区好几位老人接到冒充公检法、“保健品返利”的电话，有人差点转账，希望有人给老人讲讲怎么识别骗局。",
        -390,
        9,
        "A0101",
    )
    _council(cast, scams, -380, "accepted", (11, 0))
    visits = _need(
        cast,
        "resident1",
        NEED_VISITS,
        "楼里好几位八十多岁的老人独居，子女不在身边，希望有社工定期上门看看。",
        -300,
        8,
        "A0101",
    )
    meals = _need(
        cast,
        "resident2",
        NEED_MEALS,
        "社区老人做饭不方便，希望在党群服务中心开一个助餐点，中午能吃上热饭。",
        -298,
        6,
        "A0101",
    )
    _council(cast, visits, -290, "accepted", (10, 1))
    _council(cast, meals, -290, "accepted", (9, 2))
    after_school = _need(
        cast,
        "resident2",
        NEED_AFTER_SCHOOL,
        "很多家庭父母都上班，孩子四点放学后没有地方去，希望社区提供课后托管。",
        -40,
        7,
        "A0102",
    )
    _council(cast, after_school, -30, "accepted", (11, 0))
    phones = _need(
        cast,
        "resident1",
        "希望开设老年人智能手机课",
        "老人不会用手机挂号、付款，希望社区开几期手机使用课。",
        -20,
        3,
        "A0201",
    )
    _council(cast, phones, -8, "accepted", (8, 3))
    lights = _need(
        cast,
        "resident2",
        "3栋楼道灯坏了很久没人修",
        "3栋2单元楼道灯坏了一个多月，晚上上下楼很危险。",
        -18,
        2,
        "A0201",
    )
    _council(
        cast,
        lights,
        -8,
        "rejected",
        (0, 11),
        reason="other_responsible_body",
        explanation="楼道照明由物业公司负责维修，社区已于当日转交物业并督促三日内修复。",
    )
    _need(
        cast,
        "resident1",
        "周末亲子阅读活动",
        "希望周末在社区图书角组织亲子阅读，让孩子少看手机。",
        -2,
        2,
        "A0102",
    )


# --- Tenders ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """What a tender buys, for whom, and the proposal a provider answers it with."""

    title: str
    item: str
    ceiling: int  # fen
    beneficiaries: str
    description: str
    kpis: tuple[tuple[str, int, str], ...]
    proposal: str
    staffing: str
    bidding_days: int = 20
    start_after_deadline_days: int = 21  # evaluation, standstill and signature come first
    service_days: int = 365
    answers: tuple[str, ...] = ()  # the titles of the residents' needs the tender answers (§22)


# Residents' needs of 玉林北路社区 (docs/rules.md §22), named by the tenders that answer them.
NEED_VISITS = "高龄独居老人希望有人定期上门看看"
NEED_MEALS = "希望社区开办老年助餐点"
NEED_AFTER_SCHOOL = "双职工家庭的孩子放学后无人照看"
NEED_SCAMS = "希望给老人讲讲怎么防范电信诈骗"

BRIEFS = {
    "home_care": Brief(
        "玉林片区居家养老服务",
        "A0101",
        30_000_000,
        "玉林北路社区60周岁以上高龄、独居、失能半失能老人",
        "为辖区高龄、独居老人提供定期入户探访、生活照料、助餐助医和精神慰藉，每季度组织社区长者活动。",
        (("入户探访", 1200, "人次"), ("社区长者活动", 24, "场")),
        "建立长者服务台账，每周入户探访一次；设日间照料点，每月组织生日会与健康讲座。",
        "项目主管1名，持证社工3名，护理员2名，志愿者队伍20人。",
        answers=(NEED_VISITS, NEED_MEALS),
    ),
    "bathing": Brief(
        "长者助浴服务",
        "A0101",
        6_000_000,
        "玉林北路社区失能、半失能及80周岁以上老人",
        "由持证助浴员上门或在助浴点为老人提供安全助浴，服务前评估身体状况，服务后回访。",
        (("上门助浴", 600, "人次"), ("助浴回访", 600, "人次")),
        "配置移动助浴设备，双人上门，每次服务前测量血压并签署知情同意。",
        "助浴员4名（持养老护理员证），项目协调员1名。",
    ),
    "counselling": Brief(
        "社区心理健康服务",
        "A0201",
        8_000_000,
        "玉林北路社区居民，重点关注青少年、独居老人及困境家庭",
        "开设社区心理咨询室，提供个案咨询、心理健康讲座和危机转介。",
        (("个案咨询", 300, "人次"), ("心理健康讲座", 12, "场")),
        "每周开放咨询室三个半天，建立转介机制，与辖区医院精神科合作。",
        "国家二级心理咨询师2名，社工2名。",
        start_after_deadline_days=40,
    ),
    "neighbourhood": Brief(
        "社区邻里节活动策划",
        "A0201",
        6_000_000,
        "玉林北路社区全体居民",
        "策划并实施年度社区邻里节，组织院落文艺、邻里美食和公益集市活动。",
        (("邻里活动", 8, "场"), ("参与居民", 2000, "人次")),
        "以院落为单位招募居民骨干，分三期开展邻里节，活动后形成居民议事清单。",
        "项目主管1名，社工2名，居民骨干30人。",
    ),
    "disability": Brief(
        "助残康复服务",
        "A0301",
        9_000_000,
        "玉林北路社区持证残疾人及其家庭",
        "为辖区持证残疾人提供社区康复训练、辅具适配指导和家庭支持。",
        (("康复训练", 800, "人次"), ("入户评估", 60, "户")),
        "与区残联康复中心合作，每周两次社区康复课堂，季度入户评估。",
        "康复治疗师1名，社工2名，助残志愿者15人。",
    ),
    "culture": Brief(
        "社区文化活动中心运营",
        "A0201",
        7_000_000,
        "玉林北路社区居民，优先老年人和青少年",
        "运营社区文化活动中心，开设书法、合唱、绘本共读等常态化课程。",
        (("常态化课程", 200, "课时"), ("文化活动", 12, "场")),
        "每周开放六天，课程由居民需求调查确定，每季度公示课程表。",
        "中心主任1名，专职社工2名，兼职教师6名。",
    ),
    "meals": Brief(
        "孤寡老人助餐服务",
        "A0101",
        5_000_000,
        "玉林北路社区孤寡、独居及高龄老人",
        "依托社区食堂为孤寡、独居老人提供午餐，行动不便者送餐上门。",
        (("助餐", 9000, "人次"), ("送餐上门", 2000, "人次")),
        "与社区食堂合作，营养师配餐，送餐员每日11点前送达。",
        "项目主管1名，送餐员3名。",
    ),
    "senior_college": Brief(
        "老年大学社区课程",
        "A0101",
        4_000_000,
        "玉林北路社区60周岁以上老年人",
        "在社区开设老年大学分班，开设智能手机使用、书画和养生课程。",
        (("课程", 120, "课时"),),
        "每学期两个班，每班30人。",
        "教务1名，兼职教师4名。",
    ),
    "after_school": Brief(
        "四点半课堂与青少年托管服务",
        "A0102",
        18_000_000,
        "玉林北路社区小学生，优先双职工家庭和困境儿童",
        "放学后为小学生提供作业辅导、阅读和安全看护，寒暑假开设兴趣营。",
        (("课后托管", 6000, "人次"), ("亲子活动", 12, "场")),
        "工作日16:30至18:30开放，师生比不低于1:10，家长签到接送。",
        "持证社工2名，教师志愿者10名。",
        answers=(NEED_AFTER_SCHOOL,),
    ),
    "anti_fraud": Brief(
        "老年人防范电信诈骗宣传服务",
        "A0101",
        3_000_000,
        "玉林北路社区60周岁以上老人，优先独居老人",
        "在社区开设防范电信诈骗讲座，入户为独居老人讲解常见骗局，协助安装国家反诈中心应用。",
        (("防诈骗讲座", 6, "场"), ("入户宣传", 300, "户次")),
        "每月一场讲座，由社区民警讲解真实案例；社工入户发放宣传册并演示识别诈骗电话。",
        "项目主管1名，社工2名，社区民警协助。",
        service_days=150,
        answers=(NEED_SCAMS,),
    ),
    "self_governance": Brief(
        "院落自治能力提升项目",
        "A0201",
        12_000_000,
        "玉林北路社区各院落居民及院落自治小组",
        "培育院落议事会，协助院落制定自治公约，开展院落微更新。",
        (("院落议事会", 24, "场"), ("院落微更新", 4, "个")),
        "",
        "",
    ),
}


# --- Documents (docs/rules.md §17.2) ---------------------------------------------------------------


def _document(actor: User, owner, content: bytes, filename: str, title: str, kind: str) -> Document:
    """Attach a small real file, through the same service as the pages and the API."""
    return document_services.document_attach(
        actor=actor,
        owner=owner,
        file=ContentFile(content, filename),
        filename=filename,
        title=title,
        kind=kind,
    )


def _tender_documents(cast: Cast, tender: Tender) -> None:
    """The officer attaches the tender documents (招标文件) to the draft before publishing it."""
    _document(
        cast.officer,
        tender,
        tiny_pdf(f"Tender documents - tender {tender.pk}"),
        f"{tender.title}招标文件.pdf",
        "招标文件",
        Document.Kind.TENDER_DOCUMENTS,
    )


def _qualification_evidence(admin: User, bid) -> None:
    """The bidder attaches its registration certificate to the draft bid: sealed with it."""
    _document(
        admin,
        bid,
        tiny_pdf(f"Registration certificate - provider {bid.provider_id}"),
        "民办非企业单位登记证书.pdf",
        "登记证书及资质证明",
        Document.Kind.QUALIFICATION,
    )


def _sign_in_sheet(cast: Cast, event: ServiceEvent) -> None:
    """The provider photographs the households' sign-in sheet after the service."""
    _document(
        cast.provider_admins[0], event, tiny_png(), "签到表.png", "服务签到表", Document.Kind.SIGN_IN_SHEET
    )


def _origin(cast: Cast, brief: Brief) -> dict:
    """What the tender answers: the residents' needs its brief names, or the bureau's own plan."""
    if not brief.answers:
        return {"initiative_reason": "武侯区年度社区服务计划（区民政局立项）"}
    return {"needs": list(Need.objects.filter(community=cast.ylbl, title__in=brief.answers))}


def _tender(cast: Cast, brief: Brief) -> Tender:
    """The officer drafts the tender today (of the clock), with its tender documents: bidding for
    ``brief.bidding_days``, the service starting after evaluation, standstill and signature, for a
    year."""
    deadline = timezone.now() + datetime.timedelta(days=brief.bidding_days)
    start = timezone.localtime(deadline).date() + datetime.timedelta(days=brief.start_after_deadline_days)
    tender = market.tender_create(
        actor=cast.officer,
        bureau=cast.bureau,
        data={
            "title": brief.title,
            "description": brief.description,
            "catalogue_item": cast.items[brief.item],
            "budget_line": cast.line,
            "areas": [cast.ylbl],
            "beneficiaries": brief.beneficiaries,
            "ceiling_amount": brief.ceiling,
            **_origin(cast, brief),
            "bid_deadline": deadline,
            "service_start": start,
            "service_end": start + datetime.timedelta(days=brief.service_days - 1),
            "kpis": [
                {"name": name, "target": Decimal(target), "unit": unit} for name, target, unit in brief.kpis
            ],
            "criteria": [
                {"name": "报价", "kind": Criterion.Kind.PRICE, "weight": 30},
                {"name": "服务方案", "kind": Criterion.Kind.QUALITY, "weight": 40},
                {"name": "团队与经验", "kind": Criterion.Kind.QUALITY, "weight": 30},
            ],
            "min_bids": 2,
        },
    )
    _tender_documents(cast, tender)
    return tender


def _bid(cast: Cast, tender: Tender, brief: Brief, provider_index: int, price: int) -> None:
    admin = cast.provider_admins[provider_index]
    bid = market.bid_create(
        actor=admin,
        tender=tender,
        provider=cast.providers[provider_index],
        data={
            "price_amount": price,
            "technical_proposal": brief.proposal,
            "staffing_plan": brief.staffing,
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )
    if provider_index == 0:  # 成都同行 sends its certificate with every bid
        _qualification_evidence(admin, bid)
    market.bid_submit(actor=admin, bid=bid)


def _open_for_bids(cast: Cast, brief: Brief, created: int, prices: list[int]) -> Tender:
    """Drafted and published on day ``created``; the providers bid in the days that follow."""
    with day(created):
        tender = market.tender_publish(actor=cast.officer, tender=_tender(cast, brief))
    for index, price in enumerate(prices):
        with day(min(created + 5 + index, -1)):
            _bid(cast, tender, brief, index, price)
    return tender


def _closed(cast: Cast, brief: Brief, created: int, prices: list[int]) -> Tender:
    """Bidding ran its course; the scheduler closed the tender on the day after the deadline."""
    tender = _open_for_bids(cast, brief, created, prices)
    with day(created + brief.bidding_days + 1):
        return market.tender_close(actor=None, tender=tender)


def _scored(cast: Cast, tender: Tender) -> None:
    """Both evaluators declare no conflict and score every opened bid; 同行 writes the best proposals."""
    for evaluator in cast.evaluators:
        market.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
        for bid in tender.bids.filter(status="opened"):
            for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
                score = Decimal(85) if bid.provider_id == cast.providers[0].id else Decimal(78)
                market.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=score)


def _awarded(cast: Cast, brief: Brief, created: int) -> Tender:
    """Closed, scored and awarded the day after closing."""
    tender = _closed(cast, brief, created, [brief.ceiling - 1_500_000, brief.ceiling - 500_000])
    with day(created + brief.bidding_days + 2):
        _scored(cast, tender)
        return market.tender_award(actor=cast.officer, tender=tender, bid=ranking_of(tender)[0].bid)


def _contracted(
    cast: Cast, brief: Brief, created: int, *, signed: bool, challenged: bool = False
) -> Contract:
    """Awarded; the scheduler finalizes the award when the standstill ends, the officer assigns the
    assessor and the committee, and (``signed``) both parties sign the next day. ``challenged``: the
    runner-up challenged the award and complained in between (``_challenge_to_complaint``)."""
    tender = _awarded(cast, brief, created)
    if challenged:
        _challenge_to_complaint(cast, tender, awarded=created + brief.bidding_days + 2)
    # the day after the standstill, which waits for the challenge window's working days
    assert tender.standstill_until is not None
    finalized = (timezone.localdate(tender.standstill_until) - timezone.localdate()).days + 1
    with day(finalized):
        contract_services.award_finalize(actor=None, tender=tender)
        contract = Contract.objects.get(tender=tender)
        contract_services.contract_assign(
            actor=cast.officer, contract=contract, assessor=cast.assessor, community=cast.community
        )
    if signed:
        with day(finalized + 1):
            contract_services.contract_sign(actor=cast.officer, contract=contract)
            evaluation_services.contract_sign(
                actor=cast.provider_admins[0], contract=contract
            )  # midterm opens
    contract.refresh_from_db()
    return contract


# --- Delivery and evaluation -----------------------------------------------------------------------


def _service(
    cast: Cast, contract: Contract, on: int, title: str, description: str, households, by: int = 0
) -> ServiceEvent:
    with day(on):
        return delivery.service_event_create(
            actor=cast.provider_admins[by],
            contract=contract,
            date=timezone.localdate(),
            area=cast.ylbl,
            title=title,
            description=description,
            recipient_codes=[household.code for household in households],
        )


def _rate(
    contract: Contract, household: Household, on: int, satisfaction: int, resolved: str, comment=""
) -> None:
    resident = household.residents.filter(status=Resident.Status.CONFIRMED).order_by("pk")[0]
    with day(on):
        evaluation_services.rating_create(
            actor=resident.user,
            contract=contract,
            satisfaction=satisfaction,
            resolved=resolved,
            comment=comment,
            client_address=f"10.1.{contract.pk % 250}.{int(household.code[2:]) % 250}",  # one per household
            channel="web",
        )


def _home_care(cast: Cast) -> Contract:
    """A year of home care signed seven months ago: monthly visits, the midterm rated by every
    household, scored, reported, published and — the appeal window over — confirmed, which made the
    interim instalment payable (finance's to pay) and opened the final evaluation (residents rate
    again; the assessor and the committee score it at the end of the year)."""
    brief = BRIEFS["home_care"]
    contract = _contracted(cast, brief, -250, signed=True)
    start = (contract.service_start - timezone.localdate()).days
    with day(start):  # finance paid the advance through the treasury, with the bank's voucher
        payment = payments.instalment_pay(
            actor=cast.finance, instalment=contract.instalments.get(kind="advance")
        )
        payments.payment_confirm(actor=cast.finance, payment=payment, voucher_number="GK2026-000381")
    households = _households(cast.ylbl)
    for month in range(5):
        _service(
            cast,
            contract,
            start + 7 + 30 * month,
            "高龄老人入户探访",
            "社工2名入户，了解老人身体与生活状况，协助预约就医。",
            households,
        )
    _service(
        cast,
        contract,
        start + 160,
        "社区长者生日会",
        "为当季生日的长者举办生日会，社工2名、志愿者6名参与。",
        households,
    )
    levels = [5, 5, 4, 4, 5, 3, 4, 5, 2, 4, 5, 4, 4, 5]
    for index, household in enumerate(households):
        _rate(
            contract,
            household,
            start + 172 + index % 5,
            levels[index % len(levels)],
            "yes" if index % 4 else "partly",
            "服务很贴心" if index % 3 == 0 else "",
        )
    evaluation = Evaluation.objects.get(contract=contract, stage=Evaluation.Stage.MIDTERM)
    with day(start + 180):
        delivery.report_submit(
            actor=cast.provider_admins[0],
            contract=contract,
            stage="midterm",
            summary="上半年完成入户探访612人次，组织社区长者活动11场。",
            kpi_actuals=[{"kpi": kpi["id"], "actual": Decimal(612)} for kpi in contract.terms["kpis"][:1]],
        )
        # the assessor entered 82, then corrected it to 84: the score history keeps both (§11.9)
        for actor, component, score in (
            (cast.assessor_user, "third_party", Decimal("82")),
            (cast.assessor_user, "third_party", Decimal("84")),
            (cast.officer, "buyer", Decimal("88")),
            (cast.community_user, "community", Decimal("90")),
        ):
            evaluation_services.evaluation_score(
                actor=actor, evaluation=evaluation, component=component, score=score
            )
        evaluation_services.evaluation_survey(actor=cast.assessor_user, evaluation=evaluation, n=60, n_pos=51)
    with day(start + 183):
        evaluation = evaluation_services.evaluation_finalize(actor=cast.officer, evaluation=evaluation)
    with day(start + 183 + math.ceil(settings.EVALUATION_APPEAL_DAYS) + 1):
        evaluation_services.evaluation_confirm(actor=None, evaluation=evaluation)  # the scheduler
    _service(
        cast,
        contract,
        -3,
        "高龄老人入户探访",
        "社工2名入户探访，为两位老人预约家庭医生上门。",
        households[:8],
    )
    return contract


def _bathing(cast: Cast) -> Contract:
    """Signed two weeks ago; finance issued the advance's treasury payment order and awaits the
    bank's voucher; the first services were given this fortnight, and one household has rated (it
    may still change its rating), one said online it was not served, and the assessor recorded two
    households' answers (one not served). The midterm is open: the assessor, the officer and the committee
    have their scores to enter, the provider its report to write."""
    brief = BRIEFS["bathing"]
    contract = _contracted(cast, brief, -45, signed=True)
    households = _households(cast.ylbl)
    start = (contract.service_start - timezone.localdate()).days
    first = _service(
        cast,
        contract,
        start + 1,
        "高龄老人上门助浴",
        "助浴员2名入户，为失能、高龄老人提供助浴服务。",
        households[:7],
    )
    with day(start + 1):
        _sign_in_sheet(cast, first)
    with day(-2):
        payments.instalment_pay(actor=cast.finance, instalment=contract.instalments.get(kind="advance"))
    _service(
        cast,
        contract,
        -1,
        "高龄老人上门助浴",
        "助浴员2名入户助浴，服务后测量血压并记录。",
        households[7:] + households[:2],
    )
    _rate(contract, households[1], -1, 4, "yes", "助浴员很细心，希望时间再长一点。")
    # Delivery signals (docs/rules.md §11.10): one household says online that nobody came; the
    # assessor phoned another (satisfied) and, visiting a third, heard the same. The other recipients
    # are the assessor's and the committee's to record on "Record ratings" (§10.6).
    # (not WH0001 and WH0007, whose residents rate online in the demo's stories)
    silent, phoned, visited = [h for h in households[2:7] if h.code not in ("WH0001", "WH0007")][:3]
    _rate(contract, silent, -1, Rating.NOT_RECEIVED, "no", "登记了助浴，但那天没有人上门。")
    evaluation = Evaluation.objects.get(contract=contract, status=Evaluation.Status.OPEN)
    for household, satisfaction, method in (
        (phoned, 5, Rating.CollectionMethod.PHONE),
        (visited, Rating.NOT_RECEIVED, Rating.CollectionMethod.VISIT),
    ):
        with day(0):
            evaluation_services.rating_record_assisted(
                actor=cast.assessor_user,
                evaluation=evaluation,
                household_code=household.code,
                satisfaction=satisfaction,
                resolved="yes" if satisfaction else "no",
                comment="",
                method=method,
                client_address=None,
            )
    return contract


def _evaluated(
    cast: Cast, contract: Contract, stage: str, on: int, scores: tuple[int, int, int], summary: str
):
    """The provider reports on day ``on``, the assessor, the officer and the committee score, the
    officer publishes the next day and — the appeal window over, no appeal — the scheduler confirms."""
    evaluation = Evaluation.objects.get(contract=contract, stage=stage, status=Evaluation.Status.OPEN)
    with day(on):
        delivery.report_submit(
            actor=cast.provider_admins[0], contract=contract, stage=stage, summary=summary, kpi_actuals=[]
        )
        for actor, component, score in zip(
            (cast.assessor_user, cast.officer, cast.community_user),
            ("third_party", "buyer", "community"),
            scores,
            strict=True,
        ):
            evaluation_services.evaluation_score(
                actor=actor, evaluation=evaluation, component=component, score=Decimal(score)
            )
    with day(on + 1):
        evaluation = evaluation_services.evaluation_finalize(actor=cast.officer, evaluation=evaluation)
    confirmed = on + 1 + math.ceil(settings.EVALUATION_APPEAL_DAYS) + 1
    with day(confirmed):
        evaluation_services.evaluation_confirm(actor=None, evaluation=evaluation)
    return confirmed


def _paid(cast: Cast, contract: Contract, kind: str, on: int, voucher: str) -> None:
    """Finance pays the instalment through the treasury and enters the bank's voucher."""
    with day(on):
        payment = payments.instalment_pay(actor=cast.finance, instalment=contract.instalments.get(kind=kind))
        payments.payment_confirm(actor=cast.finance, payment=payment, voucher_number=voucher)


def _delivered(cast: Cast) -> Contract:
    """The need resident1 proposed last year (防范电信诈骗), answered by a five-month contract that is
    over: talks and home visits, rated by every household it reached at the midterm and at the end,
    both evaluations confirmed and every instalment paid. Confirming the final evaluation completed
    the contract, which marked the need delivered (contracts.services.contract_complete, §22); the
    contract is closed, so it leaves no work for anyone today."""
    brief = BRIEFS["anti_fraud"]
    contract = _contracted(cast, brief, -370, signed=True)
    start = (contract.service_start - timezone.localdate()).days
    end = (contract.service_end - timezone.localdate()).days
    _paid(cast, contract, "advance", start, "GK2026-000117")
    households = _households(cast.ylbl)
    talks = ("防范电信诈骗讲座", "社区民警讲解冒充公检法、保健品返利等真实案例，现场演示识别诈骗电话。")
    visits = ("独居老人防诈骗入户宣传", "社工入户发放宣传册，协助老人安装国家反诈中心应用。")
    for offset, (title, description) in ((7, talks), (30, visits), (55, talks)):
        _service(cast, contract, start + offset, title, description, households)
    for index, household in enumerate(households):
        _rate(contract, household, start + 60 + index % 3, (5, 4, 5, 5, 3)[index % 5], "yes")
    confirmed = _evaluated(
        cast, contract, "midterm", start + 70, (86, 88, 90), "上半期举办讲座3场，入户宣传162户次。"
    )
    _paid(cast, contract, "interim", confirmed + 1, "GK2026-000264")
    for offset, (title, description) in ((95, talks), (120, visits), (140, talks)):
        _service(cast, contract, start + offset, title, description, households)
    for index, household in enumerate(households):
        _rate(
            contract,
            household,
            end - 5 + index % 3,
            (5, 5, 4, 5, 4)[index % 5],
            "yes",
            "讲得很实在，现在接到陌生电话心里有数了。" if index == 0 else "",
        )
    confirmed = _evaluated(
        cast, contract, "final", end + 1, (88, 90, 92), "全期举办讲座6场，入户宣传318户次，辖区老人无一受骗。"
    )
    _paid(cast, contract, "holdback", confirmed + 1, "GK2026-000388")
    contract.refresh_from_db()
    return contract


def _variations(cast: Cast, home_care: Contract, bathing: Contract) -> None:
    """Variations (补充协议, docs/rules.md §17.8). Home care: forty more households joined, so the
    bureau raised the value by 5 % (within the 10 % cap) ten days ago; both parties signed, the
    holdback not yet payable was re-planned and the budget line committed the difference. Bathing:
    weekend bathing proposed and signed by the officer yesterday, awaiting the provider's signature."""
    increase = home_care.value_amount * 5 // 100 // 100 * 100  # 5 %, in whole yuan
    with day(-10):
        variation = evaluation_services.variation_propose(
            actor=cast.officer,
            contract=home_care,
            kind="value",
            value_delta=increase,
            reason="玉林北路社区新增40户高龄独居老人纳入入户探访，服务量增加。",
        )
        evaluation_services.variation_sign(actor=cast.officer, variation=variation)
    with day(-9):
        evaluation_services.variation_sign(actor=cast.provider_admins[0], variation=variation)
    with day(-1):
        proposed = evaluation_services.variation_propose(
            actor=cast.officer,
            contract=bathing,
            kind="scope",
            scope="每月增加两次周末上门助浴，服务对象不变。",
            reason="部分老人子女工作日无法陪同，居民委员会反映周末助浴需求。",
        )
        evaluation_services.variation_sign(actor=cast.officer, variation=proposed)


def _question(cast: Cast, tender: Tender, provider_index: int, text: str, on: int, answer: str = "") -> None:
    with day(on):
        question = market.question_ask(actor=cast.provider_admins[provider_index], tender=tender, text=text)
    if answer:
        with day(on + 1):
            market.question_answer(actor=cast.officer, question=question, answer=answer)


def _amended(cast: Cast, tender: Tender) -> None:
    """Today the officer amends the open tender (docs/rules.md §17.3): the holiday camps count, and a
    KPI is added. Fewer than MARKETPLACE_CLARIFICATION_DAYS remain, so the deadline moves; 爱有戏
    (provider2), whose bid predates the amendment, is told and sees it on its bid page."""
    kpis = [{"name": kpi.name, "target": kpi.target, "unit": kpi.unit} for kpi in tender.kpis.all()]
    market.tender_amend(
        actor=cast.officer,
        tender=tender,
        reason="寒暑假兴趣营计入“课后托管”人次；新增“兴趣营”指标。",
        changes={
            "description": tender.description + "寒暑假兴趣营计入“课后托管”人次。",
            "kpis": [*kpis, {"name": "兴趣营", "target": Decimal(4), "unit": "期"}],
        },
    )


# --- Due process: exclusions and the evaluators' panel (docs/rules.md §17.6, §17.7) -----------------

EXCLUSION_BRIEFS = {
    "waste_sorting": Brief(
        "社区垃圾分类宣传指导",
        "A0201",
        5_000_000,
        "玉林北路社区全体居民",
        "在各院落开展垃圾分类宣传、入户指导和督导员培训。",
        (("入户指导", 1500, "户次"), ("督导员培训", 6, "场")),
        "每院落配备督导员，每月入户指导一次，每季度评比。",
        "项目主管1名，社工2名，督导员志愿者20人。",
    ),
    "accessible_trips": Brief(
        "残疾人无障碍出行服务",
        "A0301",
        4_000_000,
        "玉林北路社区行动不便的持证残疾人",
        "为行动不便的残疾人提供就医、办事的无障碍接送和陪同服务。",
        (("接送陪同", 500, "人次"),),
        "配备无障碍车辆一台，提前一天预约，司机与陪护员各一名。",
        "司机1名，陪护员2名。",
    ),
}


def _contract_won_by(cast: Cast, brief: Brief, created: int, winner: int, runner_up: int) -> Contract:
    """A tender that provider ``winner`` wins on price (both evaluators score the two bids alike),
    awarded, finalized when the standstill ends and signed by both parties the next day."""
    with day(created):
        tender = market.tender_publish(actor=cast.officer, tender=_tender(cast, brief))
    with day(created + 3):
        _bid(cast, tender, brief, winner, brief.ceiling - 1_000_000)
        _bid(cast, tender, brief, runner_up, brief.ceiling - 200_000)
    closed = created + brief.bidding_days + 1
    with day(closed):
        market.tender_close(actor=None, tender=tender)
    with day(closed + 1):
        for evaluator in cast.evaluators:
            market.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
            for bid in tender.bids.filter(status="opened"):
                for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
                    market.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=Decimal(80))
        tender = market.tender_award(actor=cast.officer, tender=tender, bid=ranking_of(tender)[0].bid)
    # the day after the standstill, which waits for the challenge window's working days
    assert tender.standstill_until is not None
    finalized = (timezone.localdate(tender.standstill_until) - timezone.localdate()).days + 1
    with day(finalized):
        contract_services.award_finalize(actor=None, tender=tender)
        contract = Contract.objects.get(tender=tender)
    with day(finalized + 1):
        contract_services.contract_sign(actor=cast.officer, contract=contract)
        evaluation_services.contract_sign(actor=cast.provider_admins[winner], contract=contract)
    contract.refresh_from_db()
    return contract


def _exclusions(cast: Cast) -> None:
    """锦江益民 subcontracted its waste-sorting service: the officer terminated the contract two months
    ago, which excludes it from bidding until next year (the public list shows it; provider3 sees it
    on its pages). 爱有戏's accessible-trips contract was terminated too, but the bureau lifted that
    exclusion a month later, on review."""
    waste = _contract_won_by(cast, EXCLUSION_BRIEFS["waste_sorting"], -230, winner=2, runner_up=0)
    with day(-60):
        evaluation_services.contract_terminate(
            actor=cast.officer,
            contract=waste,
            reason="服务机构将入户指导转包给无资质个人，违反合同第十二条。",
        )
    trips = _contract_won_by(cast, EXCLUSION_BRIEFS["accessible_trips"], -235, winner=1, runner_up=2)
    with day(-150):
        evaluation_services.contract_terminate(
            actor=cast.officer, contract=trips, reason="无障碍车辆长期停运，未按约提供接送服务。"
        )
    with day(-120):
        market.exclusion_lift(
            actor=cast.officer,
            exclusion=Exclusion.objects.get(contract_ref=trips.pk),
            reason="经复核，车辆停运系租赁方违约所致，服务机构已更换车辆并恢复服务，予以解除。",
        )


APPEAL_BRIEF = Brief(
    "社区老年人健康管理服务",
    "A0101",
    5_000_000,
    "玉林北路社区65周岁以上老人",
    "为辖区老人建立健康档案，定期测量血压血糖，开展慢病管理讲座。",
    (("健康监测", 900, "人次"), ("健康讲座", 12, "场")),
    "每月两次在社区卫生站测量血压血糖，每季度组织健康讲座。",
    "项目主管1名，社工2名，护士1名。",
)


def _appealed(cast: Cast) -> Contract:
    """Appeals (复核, docs/rules.md §11.7): the midterm of 社区老年人健康管理服务 was published four days
    ago at S = 70.55; 爱有戏 appealed the third-party score two days ago with its evidence, claiming
    85 (S' = 75.75). The window is still open: the officer or the review body decides the appeal;
    if it is still open when the evaluation is confirmed, the interim instalment is held."""
    contract = _contract_won_by(cast, APPEAL_BRIEF, -200, winner=1, runner_up=0)
    with day(-160):
        contract_services.contract_assign(
            actor=cast.officer, contract=contract, assessor=cast.assessor, community=cast.community
        )
    households = _households(cast.ylbl)
    start = (contract.service_start - timezone.localdate()).days
    for month in range(4):
        _service(
            cast,
            contract,
            start + 5 + 30 * month,
            "老年人健康监测",
            "护士测量血压血糖并记录健康档案。",
            households,
            by=1,
        )
    evaluation = Evaluation.objects.get(contract=contract, stage=Evaluation.Stage.MIDTERM)
    with day(-8):
        delivery.report_submit(
            actor=cast.provider_admins[1],
            contract=contract,
            stage="midterm",
            summary="上半年完成健康监测468人次，举办健康讲座6场。",
            kpi_actuals=[],
        )
        for actor, component, score in (
            (cast.assessor_user, "third_party", Decimal("72")),
            (cast.officer, "buyer", Decimal("70")),
            (cast.community_user, "community", Decimal("75")),
        ):
            evaluation_services.evaluation_score(
                actor=actor, evaluation=evaluation, component=component, score=score
            )
        evaluation_services.evaluation_survey(actor=cast.assessor_user, evaluation=evaluation, n=60, n_pos=39)
    with day(-4):
        evaluation = evaluation_services.evaluation_finalize(actor=cast.officer, evaluation=evaluation)
    with day(-2):
        appeal = appeal_services.appeal_file(
            actor=cast.provider_admins[1],
            evaluation=evaluation,
            grounds="第三方评估机构在国庆假期入户抽查，多数老人随子女外出，未能反映实际服务情况。请求按健康档案复核第三方评分。",
            claimed={"third_party": Decimal("85")},
        )
        _document(
            cast.provider_admins[1],
            appeal,
            tiny_pdf(f"Health records - appeal {appeal.pk}"),
            "健康档案记录.pdf",
            "健康档案记录（抽查期间）",
            Document.Kind.EVIDENCE,
        )
    return contract


def _outlying_score(cast: Cast, tender: Tender) -> None:
    """A third evaluator joins the panel of 社区邻里节 and scores one proposal far below the other two:
    the ranking flags that score for a second look."""
    third = _member(cast.bureau, "evaluator3", "评审专家3", Membership.Role.EVALUATOR)
    market.evaluator_declare(actor=third, tender=tender, no_conflict=True)
    for bid in tender.bids.filter(status="opened"):
        for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
            own = bid.provider_id == cast.providers[0].id
            score = Decimal(84) if own else (Decimal(40) if criterion.name == "服务方案" else Decimal(76))
            market.bid_score(actor=third, bid=bid, criterion=criterion, score=score)


@transaction.atomic
def _challenge_to_complaint(cast: Cast, tender: Tender, *, awarded: int) -> None:
    """爱有戏 challenges the award the day after the notice; the officer dismisses the challenge, 爱有戏
    complains to 武侯区财政局, which dismisses the complaint with its reasoning: the award is released
    and stands (docs/rules.md §17.5)."""
    with day(awarded + 1):
        challenge = challenge_services.challenge_submit(
            actor=cast.provider_admins[1],
            tender=tender,
            grounds="我方报价与服务方案均不逊于中标方，评审专家对“团队与经验”的打分缺乏依据。",
        )
        _challenge_evidence(cast.provider_admins[1], challenge)
    with day(awarded + 2):
        challenge = challenge_services.challenge_reply(
            actor=cast.officer,
            challenge=challenge,
            decision="dismissed",
            reply="经复核，两位评审专家的评分记录完整、依据充分，评审结果维持不变。",
        )
    with day(awarded + 3):
        complaint = challenge_services.complaint_submit(
            actor=cast.provider_admins[1],
            challenge=challenge,
            grounds="采购人的答复未说明评分依据，请求财政部门审查。",
        )
    with day(awarded + 5):
        challenge_services.complaint_decide(
            actor=cast.reviewer,
            complaint=complaint,
            decision="dismissed",
            reasoning="经调取评审记录，评分符合招标文件规定的评审标准，投诉事项缺乏事实依据，予以驳回。",
        )


def _challenged(cast: Cast, tender: Tender) -> None:
    """爱有戏 challenges the proposed award of 社区文化活动中心运营 yesterday, with its evidence: the
    award is held and the officer's reply is due in a few working days."""
    with day(-1):
        challenge = challenge_services.challenge_submit(
            actor=cast.provider_admins[1],
            tender=tender,
            grounds="中标方的师资配置与招标文件要求的“兼职教师6名”不符，请求重新评审。",
        )
        _challenge_evidence(cast.provider_admins[1], challenge)


def _challenge_evidence(admin: User, challenge) -> None:
    """The challenger attaches the evidence for its grounds while the challenge awaits the reply:
    the bureau and the review body read it, the public never (docs/rules.md §17.2, §17.5)."""
    _document(
        admin,
        challenge,
        tiny_pdf(f"Challenge evidence - challenge {challenge.pk}"),
        "质疑证明材料.pdf",
        "质疑证明材料",
        Document.Kind.EVIDENCE,
    )


def _community_tasks(cast: Cast) -> None:
    """权随责走、费随事转 (docs/rules.md §23): the district's admission list; 玉林北路社区 accepted a
    listed, funded task (paid by a treasury order its finance confirmed) and refused an unfunded one
    not on the list; a third waits for its answer."""
    line = cast.line
    assert line is not None  # set by _cast
    with day(-30):
        visits = community_tasks.admission_item_create(
            actor=cast.admin,
            name="高龄老人入户走访",
            description="每月入户走访辖区80岁以上独居老人，登记需求。",
            funding_per_year=2_400_000,
        )
        community_tasks.admission_item_create(
            actor=cast.admin, name="防汛应急演练", description="每年汛期前组织一次社区应急演练。"
        )
        visiting = community_tasks.community_task_propose(
            actor=cast.officer,
            community=cast.community,
            admission_item=visits,
            title="高龄老人入户走访（第二季度）",
            scope="走访辖区80岁以上独居老人，每户每月一次，填写走访记录。",
            starts=timezone.localdate() + datetime.timedelta(days=10),
            ends=timezone.localdate() + datetime.timedelta(days=100),
            funding_amount=600_000,
            budget_line=line,
        )
    with day(-28):
        community_tasks.community_task_accept(actor=cast.community_user, task=visiting)
    with day(-25):
        community_tasks.community_task_pay(task_id=visiting.pk)  # the beat issues the treasury order
        visiting.refresh_from_db()
        community_tasks.community_task_confirm_payment(
            actor=cast.finance, task=visiting, voucher_number="GK2026-000512"
        )
    with day(-6):
        survey = community_tasks.community_task_propose(
            actor=cast.officer,
            community=cast.community,
            title="辖区商铺营业执照信息核查",
            scope="逐户核对辖区商铺营业执照信息并上报。",
            starts=timezone.localdate() + datetime.timedelta(days=3),
            ends=timezone.localdate() + datetime.timedelta(days=20),
            funding_amount=0,
            budget_line=line,
        )
    with day(-5):
        community_tasks.community_task_refuse(
            actor=cast.community_user,
            task=survey,
            reason="该事项属市场监管部门职责，不在社区准入清单内，且未附工作经费。",
        )
    with day(-1):
        community_tasks.community_task_propose(
            actor=cast.officer,
            community=cast.community,
            admission_item=visits,
            title="高龄老人入户走访（第三季度）",
            scope="走访辖区80岁以上独居老人，每户每月一次，填写走访记录。",
            starts=timezone.localdate() + datetime.timedelta(days=30),
            ends=timezone.localdate() + datetime.timedelta(days=120),
            funding_amount=600_000,
            budget_line=line,
        )


def _grid(cast: Cast) -> None:
    """The grid of 玉林北路社区 (docs/rules.md §25): the committee's admin names the committee member
    responsible for the east zone; the bureau names a grid worker (网格员) for each compound — one
    employed by a social organisation (FR-1.7), one by the committee — and a resident as the central
    household head (中心户长) of a building."""
    Role, Post = Membership.Role, GridPost.Role
    ylbl = cast.ylbl
    compound1, compound2 = cast.areas[f"{ylbl.code}-Y1"], cast.areas[f"{ylbl.code}-Y2"]
    with day(-60):
        committee_admin = _member(cast.community, "community_admin", "社区主任", Role.ADMIN)
        worker = _member(cast.community, "grid_worker", "网格员刘", Role.MEMBER)
        zone = org_services.area_create(
            actor=cast.admin,
            name="玉林北路社区东片区",
            code=f"{ylbl.code}-ZE",
            level=Area.Level.ZONE,
            parent=ylbl,
        )
        building = org_services.area_create(
            actor=cast.admin,
            name=f"{compound1.name}1栋",
            code=f"{compound1.code}-B1",
            level=Area.Level.BUILDING,
            parent=compound1,
        )
        org_services.grid_post_create(
            actor=committee_admin,
            area=zone,
            username=cast.community_user.username,
            role=Post.COMMITTEE_MEMBER,
        )
        org_services.grid_post_create(
            actor=cast.officer,
            area=compound1,
            username="provider1_staff",
            role=Post.GRID_WORKER,
            employer=cast.providers[0],
        )
        org_services.grid_post_create(
            actor=cast.officer,
            area=compound2,
            username=worker.username,
            role=Post.GRID_WORKER,
            employer=cast.community,
        )
        org_services.grid_post_create(
            actor=committee_admin, area=building, username="resident1", role=Post.HOUSEHOLD_HEAD
        )


def seed() -> None:
    fiscal_year = timezone.localdate().year
    with day(-400):  # the platform was set up last year, with this year's budget
        cast = _cast(fiscal_year)
    _needs(cast)

    with day(-1):  # an organisation registered yesterday; the platform admin has yet to verify it
        org_services.provider_register(
            name="新成立社工服务中心（待审核）",
            legal_type=Organization.LegalType.SOCIAL_ORGANIZATION,
            credit_code=credit_code("52510107MJ0000009"),
            username="provider_pending",
            password=PASSWORD,
        )

    _delivered(cast)
    home_care = _home_care(cast)
    bathing = _bathing(cast)
    _variations(cast, home_care, bathing)
    # both parties have to sign; the runner-up's challenge and complaint were dismissed on the way
    _contracted(cast, BRIEFS["counselling"], -40, signed=False, challenged=True)
    _exclusions(cast)
    _appealed(cast)

    # The officer's work on tenders: an award to make, a standstill running, questions to answer.
    _closed(cast, BRIEFS["neighbourhood"], -25, [5_600_000, 5_900_000])
    neighbourhood = Tender.objects.get(title=BRIEFS["neighbourhood"].title)
    with day(-3):
        _scored(cast, neighbourhood)  # scored: the officer awards it
        _outlying_score(cast, neighbourhood)
    culture = _awarded(cast, BRIEFS["culture"], -25)  # award proposed three days ago: the standstill runs
    _challenged(cast, culture)  # and a bidder challenged it: the officer must reply
    _closed(cast, BRIEFS["disability"], -22, [8_800_000, 8_600_000])  # the evaluators' to score

    meals = _open_for_bids(cast, BRIEFS["meals"], -80, [4_900_000])
    with day(-80 + BRIEFS["meals"].bidding_days + 1):
        market.tender_close(actor=None, tender=meals)  # a single bid: unsuccessful (流标)

    with day(-120):
        cancelled = market.tender_publish(actor=cast.officer, tender=_tender(cast, BRIEFS["senior_college"]))
    with day(-110):
        market.tender_cancel(actor=cast.officer, tender=cancelled, reason="需求已由街道老年大学统筹解决")

    after_school = _open_for_bids(cast, BRIEFS["after_school"], -6, [])
    with day(-2):
        _bid(cast, after_school, BRIEFS["after_school"], 1, 17_500_000)
    _question(
        cast,
        after_school,
        2,
        "托管场地是否由社区提供？如需自租，租金可否列入报价？",
        -4,
        answer="场地由玉林北路社区党群服务中心免费提供，租金不得列入报价。",
    )
    _question(cast, after_school, 0, "寒暑假兴趣营是否计入“课后托管”人次指标？", -1)
    _amended(cast, after_school)

    with day(-1):
        _tender(cast, BRIEFS["self_governance"])  # the officer's draft

    # Registrations waiting for 玉林北路社区's committee: a household code proves nothing by itself.
    # WH0013 has a phone on the household register, so signing up with it sends a code by SMS
    # (printed by the worker: the console SMS backend).
    Household.objects.filter(code="WH0013").update(phone="13800000013")
    org_services.resident_register(
        username="newcomer", password=PASSWORD, phone="13900000007", household_code="WH0007"
    )
    _community_tasks(cast)
    _grid(cast)


LOGINS = [
    ("admin", "platform admin (Django admin /admin/): verify 新成立社工服务中心"),
    (
        "officer",
        "bureau officer: award 社区邻里节, reply to the challenge of 社区文化活动中心运营, answer a question,"
        " sign 社区心理健康服务, enter B scores, decide the appeal of 社区老年人健康管理服务",
    ),
    ("finance", "bureau finance: pay the interim instalment, confirm a treasury voucher"),
    ("evaluator1", "bid evaluator: score the bids for 助残康复服务"),
    ("evaluator3", "bid evaluator whose score on 社区邻里节 the ranking flags as an outlier"),
    ("provider1", "provider admin, 成都同行: log services, write a report, sign a contract and a variation"),
    ("provider2", "provider admin, 爱有戏: its bid predates today's amendment; its scores for 社区文化活动"),
    ("provider3", "provider admin, 锦江益民: excluded from bidding after a terminated contract"),
    ("provider_pending", "provider awaiting verification"),
    ("assessor", "third-party assessor: enter T and the survey for 长者助浴服务; record ratings"),
    (
        "community",
        "residents' committee: confirm newcomer, enter C for 长者助浴服务; record ratings;"
        " accept or refuse the task sent yesterday (/community/tasks/); record the council on a need;"
        " Your community (/community/grid/)",
    ),
    ("community_admin", "committee admin: name or end who is responsible at each node of the grid"),
    ("grid_worker", "grid worker of 玉林北路社区, employed by the committee: sees the community's grid"),
    (
        "reviewer",
        "review body (武侯区财政局): the complaint decided on 社区心理健康服务; an appeal to decide",
    ),
    (
        "resident1",
        "resident (WH0001): rate 长者助浴服务 and 居家养老服务; follow a delivered need (你说我做)",
    ),
    ("resident2", "resident (WH0002): change the rating given yesterday"),
    ("newcomer", "resident awaiting confirmation (household WH0007)"),
]
