"""Writes of the orgs app: areas, organisations, members, households, residents."""

import datetime
import secrets
from typing import Any

import rules
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from common.notifications import notify_after_commit
from common.transitions import run_transition
from orgs.errors import OrgsError

from .models import Area, GridPost, Household, Membership, Organization, PastMembership, Resident, User
from .permissions import forget_roles, is_committee_member_at
from .phones import normalize_mainland_mobile
from .selectors import households_by_codes

HOUSEHOLD_LEVELS = {Area.Level.ZONE, Area.Level.COMPOUND, Area.Level.BUILDING}
PROVIDER_LEGAL_TYPES = set(Organization.LegalType) - {Organization.LegalType.GOVERNMENT_AGENCY}
CREDIT_CODE_TAKEN = gettext_lazy(
    "An organisation with this unified social credit code is already registered. "
    "If it is yours, sign in or ask its administrator to add you."
)


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
    _require(rules.has_perm("orgs.add_area", actor))
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
    _require(rules.has_perm("orgs.add_organization", actor))
    organization: Organization = Organization(**fields)
    _full_clean(organization, exclude=["status"])
    organization.save()
    run_transition(organization, organization.verify, by=actor, description=reasons.ORGANIZATION_CREATED)
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
    organization: Organization = Organization(
        kind=Organization.Kind.PROVIDER,
        name=name,
        legal_type=legal_type,
        credit_code=credit_code,
        email=email,
    )
    try:
        organization.full_clean(exclude=["status"])
    except ValidationError as error:
        fields = error.message_dict
        if any(item.code == "unique" for item in error.error_dict.get("credit_code", [])):
            fields["credit_code"] = [str(CREDIT_CODE_TAKEN)]
        raise Invalid({"organization": fields}) from error
    try:
        admin = _create_user(username=username, password=password, email=email)
    except Invalid as error:
        raise Invalid({"admin": error.extra["fields"]}) from error
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as error:  # a concurrent registration with the same code
        raise Invalid({"organization": {"credit_code": [str(CREDIT_CODE_TAKEN)]}}) from error
    Membership.objects.create(user=admin, organization=organization, role=Membership.Role.ADMIN)
    return organization


@transaction.atomic
def organization_verify(*, actor: User, organization: Organization) -> Organization:
    _require(rules.has_perm("orgs.verify_organization", actor))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    return run_transition(organization, organization.verify, by=actor)


@transaction.atomic
def organization_suspend(*, actor: User, organization: Organization, reason: str = "") -> Organization:
    _require(rules.has_perm("orgs.suspend_organization", actor))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    return run_transition(organization, organization.suspend, by=actor, description=reason)


@transaction.atomic
def member_add(
    *, actor: User, organization: Organization, username: str, password: str, role: str
) -> Membership:
    """An organisation's admin (or the platform admin) adds a new user with a role that suits the
    organisation's kind."""
    _require(rules.has_perm("orgs.add_member", actor, organization))
    if role not in Membership.ROLES_BY_KIND[Organization.Kind(organization.kind)]:
        raise Invalid({"role": [_("This role does not exist in this kind of organisation.")]})
    user = _create_user(username=username, password=password)
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    forget_roles(actor)
    return membership


def _check_household_area(actor: User, area: Area) -> None:
    if area.level not in HOUSEHOLD_LEVELS:
        raise Invalid({"area": [_("Households belong to a zone, compound or building.")]})
    if not rules.has_perm("orgs.manage_households_in_area", actor, area):
        raise Invalid({"area": [_("This area is outside your jurisdiction.")]})


def _mobile(phone: str) -> str:
    """The typed number as stored (11 digits), or 400 ``invalid_phone`` naming the field."""
    try:
        return normalize_mainland_mobile(phone)
    except ValidationError as error:
        raise Invalid(
            {"phone": list(error.messages)},
            _("The mobile phone number is not valid."),
            code=OrgsError.INVALID_PHONE,
        ) from error


def household_create(*, actor: User, area: Area, code: str, phone: str = "") -> Household:
    """The phone on the household register receives the codes that confirm residents, so it is a
    mainland mobile number (``orgs.phones``)."""
    _require(rules.has_perm("orgs.manage_households", actor))
    _check_household_area(actor, area)
    phone = _mobile(phone)
    household = Household(area=area, code=code, phone=phone, created_by=actor)
    taken = Invalid({"code": [_("A household with this code already exists.")]})
    if households_by_codes([code]).exists():  # in any letter case
        raise taken
    _full_clean(household)
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as error:  # a concurrent create of the same code
        raise taken from error
    return household


@transaction.atomic
def resident_register(*, username: str, password: str, phone: str, household_code: str) -> Resident:
    """A user says they live in a household. Knowing its code proves nothing (codes are short and
    shown to a contract's parties), so the registration starts ``pending``: it counts once the
    community or bureau confirms it, or the resident enters the code sent to the phone on the
    household register. At most ``HOUSEHOLD_MAX_RESIDENTS`` live accounts per household. The
    phone, if given, is a mainland mobile number (400 ``invalid_phone``), stored as 11 digits."""
    phone = _mobile(phone)
    household = households_by_codes([household_code]).first()
    if household is None:
        raise Invalid(
            {"household_code": [_("No household has this code.")]},
            _("The household code is not valid."),
            code=OrgsError.INVALID_HOUSEHOLD_CODE,
        )
    household = Household.objects.select_for_update().get(pk=household.pk)  # serialises the count
    live = household.residents.exclude(status=Resident.Status.REJECTED).count()
    if live >= settings.HOUSEHOLD_MAX_RESIDENTS:
        raise Conflict(
            _("This household already has %(n)d accounts. Ask your residents' committee for help.")
            % {"n": settings.HOUSEHOLD_MAX_RESIDENTS},
            code=OrgsError.HOUSEHOLD_FULL,
        )
    user = _create_user(username=username, password=password, phone=phone)
    resident: Resident = Resident.objects.create(user=user, household=household)
    if household.phone:
        _send_phone_code(resident)
    return resident


def _phone_code_digest(resident: Resident, code: str) -> str:
    """Keyed by the project's secret, the registration and the moment of sending: a leaked digest
    column gives no code away, and a code is good only for its own registration and sending."""
    assert resident.phone_code_sent_at is not None
    sent = int(resident.phone_code_sent_at.timestamp())
    return salted_hmac("shequ.resident-phone-code", f"{resident.pk}:{sent}:{code}").hexdigest()


def _send_phone_code(resident: Resident) -> None:
    """A fresh six-digit code to the phone on the household register (never to the phone the
    registrant typed), valid for ``RESIDENT_PHONE_CODE_MINUTES``; only its digest is stored."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    resident.phone_code_sent_at = timezone.now()
    resident.phone_code_attempts = 0
    resident.phone_code_hash = _phone_code_digest(resident, code)
    resident.save(update_fields=["phone_code_sent_at", "phone_code_attempts", "phone_code_hash"])
    body = _(
        "Shequ: %(code)s is your code to confirm your household account. It is valid for %(n)d minutes."
    ) % {
        "code": code,
        "n": settings.RESIDENT_PHONE_CODE_MINUTES,
    }
    phone = resident.household.phone
    notify_after_commit(phones=[phone], body=body)


def _own_pending_registration(actor: User) -> Resident:
    resident: Resident | None = (
        Resident.objects.select_for_update().select_related("household").filter(user=actor).first()
    )
    if resident is None:
        raise Forbidden(
            _("Only residents registered with a household can do this."), code=OrgsError.NOT_A_RESIDENT
        )
    if resident.status != Resident.Status.PENDING:
        raise InvalidTransition(_("Your registration is no longer awaiting confirmation."))
    if not resident.household.phone:
        raise Conflict(
            _("Your household has no phone on the register: your residents' committee will confirm you."),
            code=OrgsError.NO_HOUSEHOLD_PHONE,
        )
    return resident


PHONE_CODE_RESEND_SECONDS = 60


@transaction.atomic
def resident_send_phone_code(*, actor: User) -> Resident:
    """Send a new code to the household's phone (at most one a minute)."""
    resident = _own_pending_registration(actor)
    sent_at = resident.phone_code_sent_at
    if sent_at and (timezone.now() - sent_at).total_seconds() < PHONE_CODE_RESEND_SECONDS:
        raise Conflict(
            _("A code was sent less than a minute ago. Please wait before asking again."),
            code=OrgsError.CODE_RECENTLY_SENT,
        )
    _send_phone_code(resident)
    return resident


def resident_verify_phone(*, actor: User, code: str) -> Resident:
    """The resident enters the code sent to the household's phone: right, and the registration is
    confirmed (logged); wrong, and the attempt is counted — after ``RESIDENT_PHONE_CODE_ATTEMPTS``
    wrong entries the code is spent and a new one must be sent."""
    with transaction.atomic():
        resident = _own_pending_registration(actor)
        sent_at = resident.phone_code_sent_at
        lifetime = datetime.timedelta(minutes=settings.RESIDENT_PHONE_CODE_MINUTES)
        if not resident.phone_code_hash or sent_at is None or timezone.now() > sent_at + lifetime:
            raise Conflict(_("This code has expired. Ask for a new one."), code=OrgsError.PHONE_CODE_EXPIRED)
        if resident.phone_code_attempts >= settings.RESIDENT_PHONE_CODE_ATTEMPTS:
            raise Conflict(_("Too many wrong codes. Ask for a new one."), code=OrgsError.PHONE_CODE_EXPIRED)
        right = constant_time_compare(resident.phone_code_hash, _phone_code_digest(resident, code.strip()))
        if right:
            resident.phone_code_hash = ""
            _decide(
                resident,
                resident.confirm,
                by=actor,
                description=reasons.RESIDENT_CONFIRMED_BY_CODE,
            )
            return resident
        resident.phone_code_attempts += 1
        resident.save(
            update_fields=["phone_code_attempts"]
        )  # kept: the refusal below is outside the transaction
    raise Invalid(
        {"code": [_("The code is not right. Check the text message and try again.")]},
        code=OrgsError.PHONE_CODE_WRONG,
    )


def _decide(resident: Resident, method: Any, *, by: User, description: str, reason: str = "") -> None:
    resident.decided_at = timezone.now()
    resident.decided_by = by
    resident.rejection_reason = reason
    run_transition(resident, method, by=by, description=description)
    if resident.is_confirmed:
        body = _("You are confirmed as a resident of household %(code)s. You can now rate services.")
    else:
        body = _("We could not confirm you as a resident of household %(code)s: %(reason)s")
    body = body % {"code": resident.household.code, "reason": reason}
    notify_after_commit(user_ids=[resident.user_id], subject=_("Your household account"), body=body)


def _locked_for_decision(actor: User, resident: Resident) -> Resident:
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .select_related("household__area", "user")
        .get(pk=resident.pk)
    )
    if resident.user_id == actor.pk:
        raise Forbidden(_("Nobody may confirm their own registration."), code=OrgsError.CONFLICT_OF_INTEREST)
    _require(rules.has_perm("orgs.confirm_resident", actor, resident))
    return resident


@transaction.atomic
def resident_confirm(*, actor: User, resident: Resident) -> Resident:
    """A community member or bureau officer whose jurisdiction covers the household confirms that
    the registrant lives there (logged)."""
    resident = _locked_for_decision(actor, resident)
    _decide(resident, resident.confirm, by=actor, description=reasons.RESIDENT_CONFIRMED)
    return resident


@transaction.atomic
def resident_reject(*, actor: User, resident: Resident, reason: str) -> Resident:
    """…or that they do not; the reason is shown to the registrant."""
    resident = _locked_for_decision(actor, resident)
    if not reason.strip():
        raise Invalid({"reason": [_("Say why, so the person knows what to do next.")]})
    _decide(resident, resident.reject, by=actor, description=reason.strip(), reason=reason.strip())
    return resident


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> PastMembership:
    """An organisation's admin (or the platform admin) removes a membership. It is not forgotten: a
    ``PastMembership`` keeps who belonged where until when, for the evaluators' conflict check
    (docs/rules.md §17.7). Removing one already gone is 404 and records nothing."""
    _require(rules.has_perm("orgs.remove_member", actor, membership.organization))
    past = PastMembership.objects.create(
        user_id=membership.user_id,
        organization_id=membership.organization_id,
        role=membership.role,
        started_at=membership.created_at,
        ended_at=timezone.now(),
    )
    deleted, _by_model = membership.delete()
    if not deleted:  # removed meanwhile: the row recorded above is rolled back
        raise NotFound()
    forget_roles(actor)
    _end_posts_of_former_member(actor, membership)
    return past


def _end_posts_of_former_member(actor: User, membership: Membership) -> None:
    """A committee member's post needs a member of the committee (docs/rules.md §25): once the
    person belongs to no committee covering the node any more, their posts there end (logged)."""
    organization = membership.organization
    jurisdiction = organization.jurisdiction
    if organization.kind != Organization.Kind.COMMUNITY or jurisdiction is None:
        return
    posts = (
        GridPost.objects.select_for_update(of=("self",))
        .select_related("area", "user")
        .filter(
            user_id=membership.user_id,
            role=GridPost.Role.COMMITTEE_MEMBER,
            status=GridPost.Status.ACTIVE,
            area__path__startswith=jurisdiction.path,
        )
    )
    for post in posts:
        if not is_committee_member_at(post.user, post.area):
            post.ended_at = timezone.now()
            run_transition(post, post.end, by=actor, description=reasons.GRID_POST_MEMBER_LEFT)


# --- The grid (docs/rules.md §25) ------------------------------------------------------------------

GRID_EMPLOYER_KINDS = (Organization.Kind.PROVIDER, Organization.Kind.COMMUNITY)


@transaction.atomic
def grid_post_create(
    *,
    actor: User,
    area: Area,
    username: str,
    role: str,
    employer: Organization | None = None,
) -> GridPost:
    """Name who is responsible at a node of the grid (a community or below, inside the actor's
    jurisdiction). A committee member's post goes to a member of the committee covering the node; a
    grid worker's employer, if given, is a provider or a community committee (FR-1.7). The same
    person holds the same role at a node once at a time (409 ``already_posted``)."""
    _require(rules.has_perm("orgs.manage_grid", actor))
    if area.level not in GridPost.LEVELS:
        raise Invalid(
            {"area": [_("Choose a community or a zone, compound or building within it.")]},
            code=OrgsError.AREA_NOT_IN_GRID,
        )
    if not rules.has_perm("orgs.manage_grid_in_area", actor, area):
        raise Invalid(
            {"area": [_("This area is outside your jurisdiction.")]},
            code=OrgsError.AREA_OUTSIDE_JURISDICTION,
        )
    if role not in GridPost.Role.values:
        raise Invalid({"role": [_("Choose a role.")]})
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise Invalid(
            {"username": [_("No one has this username. Check it and try again.")]},
            code=OrgsError.UNKNOWN_USER,
        )
    if role == GridPost.Role.COMMITTEE_MEMBER and not is_committee_member_at(user, area):
        raise Invalid(
            {"username": [_("Only a member of the community committee may hold a committee member's post.")]},
            code=OrgsError.NOT_A_MEMBER,
        )
    if employer is not None and (employer.kind not in GRID_EMPLOYER_KINDS or not employer.is_verified):
        raise Invalid(
            {"employer": [_("The employer is a verified provider or community committee.")]},
            code=OrgsError.INVALID_EMPLOYER,
        )
    Area.objects.select_for_update().filter(pk=area.pk).first()  # serialises posts of one node
    taken = Conflict(
        _("This person already holds this role here."),
        code=OrgsError.ALREADY_POSTED,
    )
    if GridPost.objects.filter(area=area, user=user, role=role, status=GridPost.Status.ACTIVE).exists():
        raise taken
    try:
        with transaction.atomic():
            post: GridPost = GridPost.objects.create(
                area=area, user=user, role=role, employer=employer, created_by=actor
            )
    except IntegrityError as error:  # a concurrent post of the same person
        raise taken from error
    return post


@transaction.atomic
def grid_post_end(*, actor: User, post: GridPost, reason: str = "") -> GridPost:
    """The person is no longer responsible for the node: the post ends (logged, with the reason if
    one is given) and stays in the grid's history. Ending an ended post is 409."""
    post = GridPost.objects.select_for_update(of=("self",)).select_related("area").get(pk=post.pk)
    _require(rules.has_perm("orgs.end_grid_post", actor, post))
    post.ended_at = timezone.now()
    return run_transition(post, post.end, by=actor, description=reason.strip() or reasons.GRID_POST_ENDED)
