"""Writes of the orgs app: areas, organisations, members, households, residents."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid
from common.transitions import run_transition

from .models import Area, Household, Membership, Organization, Resident, User
from .permissions import forget_roles, is_platform_admin, may_manage_households, may_manage_households_in

HOUSEHOLD_LEVELS = {Area.Level.ZONE, Area.Level.COMPOUND, Area.Level.BUILDING}
PROVIDER_LEGAL_TYPES = set(Organization.LegalType) - {Organization.LegalType.GOVERNMENT_AGENCY}


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise Invalid(error.message_dict) from error


def area_create(*, actor: User, name: str, code: str, level: str, parent: Area | None = None) -> Area:
    """Areas form a tree whose levels deepen strictly from district down to building."""
    _require(is_platform_admin(actor))
    order = Area.LEVEL_ORDER
    if parent is None and level != Area.Level.DISTRICT:
        raise Invalid({"parent": [_("Only a district may be a root area.")]})
    if parent is not None and order.index(level) <= order.index(parent.level):
        raise Invalid({"level": [_("A child area must be of a lower level than its parent.")]})
    area = Area(name=name, code=code, level=level, parent=parent)
    _full_clean(area, exclude=["path"])
    area.save()
    return area


@transaction.atomic
def organization_create(*, actor: User, **fields: Any) -> Organization:
    """Organisations the platform admin creates start verified."""
    _require(is_platform_admin(actor))
    organization = Organization(**fields)
    _full_clean(organization, exclude=["status"])
    organization.save()
    run_transition(organization, organization.verify, by=actor, description="created by platform admin")
    return organization


def _create_user(*, username: str, password: str, email: str = "", phone: str = "") -> User:
    user = User(username=username, email=email, phone=phone)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise Invalid(errors)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def provider_register(
    *, name: str, legal_type: str, credit_code: str, username: str, password: str, email: str = ""
) -> Organization:
    """A provider registers itself with its first admin; it starts pending until verified."""
    if legal_type not in PROVIDER_LEGAL_TYPES:
        raise Invalid({"organization": {"legal_type": [_("This legal type may not provide services.")]}})
    organization = Organization(
        kind=Organization.Kind.PROVIDER,
        name=name,
        legal_type=legal_type,
        credit_code=credit_code,
        email=email,
    )
    try:
        organization.full_clean(exclude=["status"])
    except ValidationError as error:
        raise Invalid({"organization": error.message_dict}) from error
    try:
        admin = _create_user(username=username, password=password, email=email)
    except Invalid as error:
        raise Invalid({"admin": error.extra["fields"]}) from error
    organization.save()
    Membership.objects.create(user=admin, organization=organization, role=Membership.Role.ADMIN)
    return organization


@transaction.atomic
def organization_verify(*, actor: User, organization: Organization) -> Organization:
    _require(is_platform_admin(actor))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    return run_transition(organization, organization.verify, by=actor)


@transaction.atomic
def organization_suspend(*, actor: User, organization: Organization, reason: str = "") -> Organization:
    _require(is_platform_admin(actor))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    return run_transition(organization, organization.suspend, by=actor, description=reason)


@transaction.atomic
def member_add(
    *, actor: User, organization: Organization, username: str, password: str, role: str
) -> Membership:
    """An organisation's admin (or the platform admin) adds a new user with a role that suits the
    organisation's kind."""
    from .permissions import is_organization_admin

    _require(is_platform_admin(actor) or is_organization_admin(actor, organization))
    if role not in Membership.ROLES_BY_KIND[Organization.Kind(organization.kind)]:
        raise Invalid({"role": [_("This role does not exist in this kind of organisation.")]})
    user = _create_user(username=username, password=password)
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    forget_roles(actor)
    return membership


def _check_household_area(actor: User, area: Area) -> None:
    if area.level not in HOUSEHOLD_LEVELS:
        raise Invalid({"area": [_("Households belong to a zone, compound or building.")]})
    if not may_manage_households_in(actor, area):
        raise Invalid({"area": [_("This area is outside your jurisdiction.")]})


def household_create(*, actor: User, area: Area, code: str) -> Household:
    _require(may_manage_households(actor))
    _check_household_area(actor, area)
    household = Household(area=area, code=code, created_by=actor)
    _full_clean(household)
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as error:  # a concurrent create of the same code
        raise Invalid({"code": [_("A household with this code already exists.")]}) from error
    return household


@transaction.atomic
def resident_register(*, username: str, password: str, phone: str, household_code: str) -> Resident:
    """A resident becomes verified by registering with a valid household code."""
    household = Household.objects.filter(code=household_code.strip()).first()
    if household is None:
        raise Invalid(
            {"household_code": [_("No household has this code.")]},
            _("The household code is not valid."),
            code="invalid_household_code",
        )
    user = _create_user(username=username, password=password, phone=phone)
    return Resident.objects.create(user=user, household=household)
