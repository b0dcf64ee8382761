"""Demo data, created through the same services users call, so it obeys every rule. Past states
(closed tenders, ended standstills) are reached by moving deadlines into the past, as time would."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts import delivery
from contracts import services as contract_services
from contracts.models import Contract
from contracts.payments import services as payments
from evaluations import services as evaluation_services
from marketplace import services as market
from marketplace.models import BudgetLine, CatalogueItem, Criterion, Tender
from marketplace.selectors import ranking_of
from orgs import services as org_services
from orgs.credit_code import check_character
from orgs.models import Area, Household, Membership, Organization, Resident, User

PASSWORD = "shequ-demo-2026"
BUREAU_CREDIT_STEM = "11510107MB0000001"


def credit_code(stem: str) -> str:
    return stem + check_character(stem)


def is_seeded() -> bool:
    return Organization.objects.filter(credit_code=credit_code(BUREAU_CREDIT_STEM)).exists()


def _user(username: str, display_name: str, **extra) -> User:
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


def _tender(officer, bureau, line, item, area, title, ceiling, deadline_days=20) -> Tender:
    deadline = timezone.now() + datetime.timedelta(days=deadline_days)
    start = timezone.localtime(deadline).date() + datetime.timedelta(days=7)
    return market.tender_create(
        actor=officer,
        bureau=bureau,
        data={
            "title": title,
            "description": f"{title}：面向辖区居民的社区服务项目。",
            "catalogue_item": item,
            "budget_line": line,
            "areas": [area],
            "beneficiaries": "辖区居民，优先高龄、独居老人",
            "ceiling_amount": ceiling,
            "bid_deadline": deadline,
            "service_start": start,
            "service_end": start + datetime.timedelta(days=330),
            "kpis": [
                {"name": "上门服务", "target": Decimal(1200), "unit": "人次"},
                {"name": "社区活动", "target": Decimal(24), "unit": "场"},
            ],
            "criteria": [
                {"name": "报价", "kind": Criterion.Kind.PRICE, "weight": 30},
                {"name": "服务方案", "kind": Criterion.Kind.QUALITY, "weight": 40},
                {"name": "团队与经验", "kind": Criterion.Kind.QUALITY, "weight": 30},
            ],
            "min_bids": 2,
        },
    )


def _bid(tender, provider, provider_admin, price):
    bid = market.bid_create(
        actor=provider_admin,
        tender=tender,
        provider=provider,
        data={
            "price_amount": price,
            "technical_proposal": "每周入户探访，设日间照料中心，建立服务台账。",
            "staffing_plan": "项目主管1名，持证社工3名，志愿者队伍20人。",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )
    return market.bid_submit(actor=provider_admin, bid=bid)


def _time_passes(tender: Tender, field: str) -> None:
    Tender.objects.filter(pk=tender.pk).update(**{field: timezone.now() - datetime.timedelta(minutes=1)})
    tender.refresh_from_db()


@transaction.atomic
def seed() -> None:
    admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(
        username="admin", password=PASSWORD, display_name="平台管理员"
    )
    areas = _areas(admin)
    compounds = [area for area in areas.values() if area.level == Area.Level.COMPOUND]
    for index in range(40):
        compound = compounds[index % len(compounds)]
        Household.objects.create(code=f"WH{index + 1:04d}", area=compound, created_by=admin)

    def organization(kind, legal_type, name, stem, jurisdiction=None):
        return org_services.organization_create(
            actor=admin,
            kind=kind,
            legal_type=legal_type,
            name=name,
            credit_code=credit_code(stem),
            jurisdiction=jurisdiction,
        )

    Kind, Legal, Role = Organization.Kind, Organization.LegalType, Membership.Role
    bureau = organization(
        Kind.BUREAU, Legal.GOVERNMENT_AGENCY, "武侯区民政局", BUREAU_CREDIT_STEM, areas["district"]
    )
    officer = _member(bureau, "officer", "王科长", Role.OFFICER)
    _member(bureau, "finance", "李会计", Role.FINANCE)
    _member(bureau, "bureau_admin", "局系统管理员", Role.ADMIN)
    evaluators = [_member(bureau, f"evaluator{n}", f"评审专家{n}", Role.EVALUATOR) for n in (1, 2)]

    providers, provider_admins = [], []
    for n, name in enumerate(
        ["成都同行社会工作服务中心", "武侯区爱有戏社区发展中心", "锦江益民社工服务社"], start=1
    ):
        provider = organization(Kind.PROVIDER, Legal.SOCIAL_ORGANIZATION, name, f"52510107MJ000000{n}")
        providers.append(provider)
        provider_admins.append(_member(provider, f"provider{n}", f"{name[:4]}负责人", Role.ADMIN))
        _member(provider, f"provider{n}_staff", f"{name[:4]}社工", Role.STAFF)
    org_services.provider_register(
        name="新成立社工服务中心（待审核）",
        legal_type=Legal.SOCIAL_ORGANIZATION,
        credit_code=credit_code("52510107MJ0000009"),
        username="provider_pending",
        password=PASSWORD,
    )
    assessor = organization(Kind.ASSESSOR, Legal.ENTERPRISE, "四川第三方评估中心", "91510107MA0000001")
    _member(assessor, "assessor", "评估师张", Role.MEMBER)
    community = organization(
        Kind.COMMUNITY, Legal.GRASSROOTS_AUTONOMOUS, "玉林北路社区居委会", "57510107MC0000001", areas["YLBL"]
    )
    _member(community, "community", "社区书记", Role.MEMBER)
    for n, household in enumerate(Household.objects.order_by("code")[:5], start=1):
        _resident(f"resident{n}", f"居民{n}", household, officer)

    items = [
        CatalogueItem.objects.create(code=code, name=name)
        for code, name in (
            ("A0101", "养老服务"),
            ("A0102", "未成年人保护"),
            ("A0201", "社区治理"),
            ("A0301", "助残服务"),
        )
    ]
    line = BudgetLine.objects.create(
        bureau=bureau,
        fiscal_year=2026,
        name="社区公共服务购买",
        source="department_budget",
        amount=300_000_000,
    )
    BudgetLine.objects.create(
        bureau=bureau, fiscal_year=2026, name="社区保障激励资金", source="community_fund", amount=50_000_000
    )

    ylbl = areas["YLBL"]
    _tender(officer, bureau, line, items[2], ylbl, "院落自治能力提升项目（草稿）", 12_000_000)

    published = _tender(officer, bureau, line, items[1], ylbl, "四点半课堂与青少年托管服务", 18_000_000)
    published = market.tender_publish(actor=officer, tender=published)
    _bid(published, providers[1], provider_admins[1], 17_500_000)

    def closed(title, ceiling, item, prices):
        tender = _tender(officer, bureau, line, item, ylbl, title, ceiling)
        tender = market.tender_publish(actor=officer, tender=tender)
        for index, price in enumerate(prices):
            _bid(tender, providers[index], provider_admins[index], price)
        _time_passes(tender, "bid_deadline")
        return market.tender_close(actor=None, tender=tender)

    def scored(tender):
        for evaluator in evaluators:
            market.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
            for bid in tender.bids.filter(status="opened"):
                for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
                    score = Decimal(85) if bid.provider_id == providers[0].id else Decimal(78)
                    market.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=score)
        return ranking_of(tender)[0].bid

    closed("助残康复服务", 9_000_000, items[3], [8_800_000, 8_600_000])  # evaluating, unscored

    proposed = closed("社区邻里节活动策划", 6_000_000, items[2], [5_600_000, 5_900_000])
    market.tender_award(actor=officer, tender=proposed, bid=scored(proposed))

    closed("孤寡老人助餐服务（流标示例）", 5_000_000, items[0], [4_900_000])  # unsuccessful: one bid

    cancelled = _tender(officer, bureau, line, items[0], ylbl, "老年大学课程（已取消）", 4_000_000)
    market.tender_publish(actor=officer, tender=cancelled)
    market.tender_cancel(actor=officer, tender=cancelled, reason="需求已由街道统筹解决")

    finance = User.objects.get(username="finance")
    for title, ceiling, stage in (
        ("玉林片区居家养老服务", 30_000_000, "delivering"),
        ("长者助浴服务", 6_000_000, "advance_issued"),
        ("社区心理健康服务", 8_000_000, "draft"),
    ):
        tender = closed(title, ceiling, items[0], [ceiling - 1_500_000, ceiling - 500_000])
        market.tender_award(actor=officer, tender=tender, bid=scored(tender))
        _time_passes(tender, "standstill_until")
        contract_services.award_finalize(actor=None, tender=tender)
        contract = Contract.objects.get(tender=tender)
        contract_services.contract_assign(
            actor=officer, contract=contract, assessor=assessor, community=community
        )
        if stage == "draft":
            continue
        contract_services.contract_sign(actor=officer, contract=contract)
        evaluation_services.contract_sign(actor=provider_admins[0], contract=contract)  # opens the midterm
        if stage == "delivering":
            _deliver_and_evaluate(contract, ylbl, officer, provider_admins[0], assessor, community)
        else:  # the advance's treasury payment order is out; finance awaits the bank's voucher
            payments.instalment_pay(actor=finance, instalment=contract.instalments.get(kind="advance"))
            _first_service(contract, ylbl, provider_admins[0])

    # Registrations waiting for 玉林北路社区's committee: a household code proves nothing by itself.
    # WH0013 has a phone on the household register, so signing up with it sends a code by SMS
    # (printed by the worker: the console SMS backend).
    Household.objects.filter(code="WH0013").update(phone="13800000013")
    org_services.resident_register(
        username="newcomer", password=PASSWORD, phone="13900000007", household_code="WH0007"
    )


LOGINS = [
    ("admin", "platform admin (Django admin /admin/)"),
    ("officer", "bureau officer, 武侯区民政局"),
    ("finance", "bureau finance"),
    ("evaluator1", "bid evaluator"),
    ("provider1", "provider admin, 成都同行社会工作服务中心"),
    ("provider_pending", "provider admin awaiting verification"),
    ("assessor", "third-party assessor"),
    ("community", "residents' committee member"),
    ("resident1", "resident (household WH0001)"),
    ("newcomer", "resident awaiting confirmation (household WH0007)"),
]


def _first_service(contract, area, provider_admin) -> None:
    """The contract's first service, today, for the households of the area: its residents have a
    service to rate now (the midterm evaluation is open)."""
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(service_start=today - datetime.timedelta(days=7))
    contract.refresh_from_db()
    households = Household.objects.filter(area__path__startswith=area.path).order_by("code")
    delivery.service_event_create(
        actor=provider_admin,
        contract=contract,
        date=today,
        area=area,
        title="高龄老人上门助浴",
        description="助浴员2名入户，为高龄、失能老人提供助浴服务。",
        recipient_codes=[household.code for household in households],
    )


def _deliver_and_evaluate(contract, area, officer, provider_admin, assessor, community) -> None:
    """Half a year of delivery: service events for the households of the area, their residents'
    ratings, the component scores and the midterm report, and a published midterm evaluation."""
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(  # the service began three months ago
        service_start=today - datetime.timedelta(days=90), service_end=today + datetime.timedelta(days=270)
    )
    contract.refresh_from_db()
    households = list(Household.objects.filter(area__path__startswith=area.path).order_by("code"))
    for index, household in enumerate(households):
        if not household.residents.exists():
            _resident(f"resident_{household.code.lower()}", f"居民{index}", household, officer)
    for days_ago, title in ((60, "高龄老人入户探访"), (30, "社区长者生日会")):
        delivery.service_event_create(
            actor=provider_admin,
            contract=contract,
            date=today - datetime.timedelta(days=days_ago),
            area=area,
            title=title,
            description="社工2名、志愿者6名参与。",
            recipient_codes=[household.code for household in households],
        )
    levels = [5, 5, 4, 4, 5, 3, 4, 5, 2, 4, 5, 4, 4, 5]
    for index, household in enumerate(households):
        resident = household.residents.get(status=Resident.Status.CONFIRMED)
        evaluation_services.rating_create(
            actor=resident.user,
            contract=contract,
            satisfaction=levels[index % len(levels)],
            resolved="yes" if index % 4 else "partly",
            comment="服务很贴心" if index % 3 == 0 else "",
            client_address=f"10.1.0.{index + 1}",
            channel="web",
        )
    evaluation = evaluation_services.evaluation_open_for(contract)
    assert evaluation is not None
    for actor, component, score in (
        (User.objects.get(username="assessor"), "third_party", Decimal("84")),
        (officer, "buyer", Decimal("88")),
        (User.objects.get(username="community"), "community", Decimal("90")),
    ):
        evaluation_services.evaluation_score(
            actor=actor, evaluation=evaluation, component=component, score=score
        )
    evaluation_services.evaluation_survey(
        actor=User.objects.get(username="assessor"), evaluation=evaluation, n=60, n_pos=51
    )
    delivery.report_submit(
        actor=provider_admin,
        contract=contract,
        stage="midterm",
        summary="上半年完成入户探访612人次，社区活动11场。",
        kpi_actuals=[{"kpi": kpi["id"], "actual": Decimal(600)} for kpi in contract.terms["kpis"][:1]],
    )
    evaluation_services.evaluation_finalize(actor=officer, evaluation=evaluation)

    # Finance paid the advance through the treasury (国库集中支付) with the bank's voucher.
    finance = User.objects.get(username="finance")
    advance = contract.instalments.get(kind="advance")
    payment = payments.instalment_pay(actor=finance, instalment=advance)
    payments.payment_confirm(actor=finance, payment=payment, voucher_number="GK2026-000381")
