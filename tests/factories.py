"""Factories for every model the tests need. Amounts are in fen (分)."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.models import Contract
from marketplace.models import BudgetLine, CatalogueItem, Criterion, Kpi, PaymentScheduleItem, Tender
from orgs.credit_code import check_character
from orgs.models import Area, Household, Membership, Organization, Resident, User

PASSWORD = "correct-horse-battery-9"
_codes = itertools.count(1)


def credit_code() -> str:
    """A fresh valid unified social credit code."""
    first17 = f"52510107{next(_codes):09d}"
    return first17 + check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"A{n}")
    level = Area.Level.DISTRICT
    parent = None


def area_tree() -> dict[str, Area]:
    """district > street > community > compound (two of them) > building."""
    district = AreaFactory(level=Area.Level.DISTRICT, name="Wuhou")
    street = AreaFactory(level=Area.Level.STREET, parent=district)
    community = AreaFactory(level=Area.Level.COMMUNITY, parent=street)
    compound = AreaFactory(level=Area.Level.COMPOUND, parent=community)
    other_district = AreaFactory(level=Area.Level.DISTRICT, name="Jinjiang")
    other_compound = AreaFactory(
        level=Area.Level.COMPOUND,
        parent=AreaFactory(
            level=Area.Level.COMMUNITY, parent=AreaFactory(level=Area.Level.STREET, parent=other_district)
        ),
    )
    return {
        "district": district,
        "street": street,
        "community": community,
        "compound": compound,
        "other_district": other_district,
        "other_compound": other_compound,
    }


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.PROVIDER
    legal_type = Organization.LegalType.SOCIAL_ORGANIZATION
    name = factory.Sequence(lambda n: f"Organisation {n}")
    credit_code = factory.LazyFunction(credit_code)
    status = Organization.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ADMIN


def member(organization: Organization, role: str, **user_fields) -> User:
    return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_fields)).user


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HH{n:05d}")
    area = factory.SubFactory(AreaFactory, level=Area.Level.COMPOUND)


class ResidentFactory(factory.django.DjangoModelFactory):
    """A confirmed resident (``status=Resident.Status.PENDING`` for a fresh registration)."""

    class Meta:
        model = Resident

    user = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    status = Resident.Status.CONFIRMED


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Elderly care {n}")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    bureau = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.BUREAU)
    fiscal_year = 2026
    name = factory.Sequence(lambda n: f"Community services {n}")
    source = BudgetLine.Source.DEPARTMENT_BUDGET
    amount = 100_000_000


def in_days(days: float) -> datetime.datetime:
    """An aware datetime `days` from now."""
    return timezone.now() + datetime.timedelta(days=days)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The product's date (Asia/Shanghai) of an aware datetime: never `moment.date()`, which is the
    UTC date and differs from 16:00 to 24:00 UTC."""
    return timezone.localtime(moment).date()


def local_today(days: int = 0) -> datetime.date:
    """The product's date today, or `days` from today, as the services compute it."""
    return timezone.localdate() + datetime.timedelta(days=days)


class TenderFactory(factory.django.DjangoModelFactory):
    """A draft tender with valid terms: price 30 + quality 70, schedule 30/40/30."""

    class Meta:
        model = Tender
        skip_postgeneration_save = True

    bureau = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.BUREAU)
    title = factory.Sequence(lambda n: f"Elderly day care package {n}")
    description = "Day care for elderly residents."
    initiative_reason = "The district's plan for elderly care."
    catalogue_item = factory.SubFactory(CatalogueItemFactory)
    budget_line = factory.SubFactory(BudgetLineFactory, bureau=factory.SelfAttribute("..bureau"))
    ceiling_amount = 30_000_000
    bid_deadline = factory.LazyFunction(lambda: in_days(15))
    service_start = factory.LazyAttribute(lambda t: local_date(t.bid_deadline) + datetime.timedelta(days=5))
    service_end = factory.LazyAttribute(lambda t: t.service_start + datetime.timedelta(days=300))
    standstill_days = 7
    min_bids = 2

    @factory.post_generation
    def terms(tender, create, extracted, **kwargs):
        if not create:
            return
        Criterion.objects.create(tender=tender, name="Price", kind=Criterion.Kind.PRICE, weight=30)
        Criterion.objects.create(tender=tender, name="Service plan", kind=Criterion.Kind.QUALITY, weight=40)
        Criterion.objects.create(tender=tender, name="Team", kind=Criterion.Kind.QUALITY, weight=30)
        for kind, share in (("advance", 30), ("interim", 40), ("holdback", 30)):
            PaymentScheduleItem.objects.create(tender=tender, kind=kind, share_pct=Decimal(share))
        Kpi.objects.create(tender=tender, name="Visits", target=Decimal(1200), unit="visits")
        if tender.bureau.jurisdiction_id:
            tender.areas.add(tender.bureau.jurisdiction)

    @factory.post_generation
    def needs(tender, create, extracted, **kwargs):
        """``needs=[…]``: the residents' needs the tender answers."""
        if create and extracted:
            tender.needs.set(extracted)


__all__ = ["PASSWORD", "Contract"]
