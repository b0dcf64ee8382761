from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from .credit_code import CREDIT_CODE_LENGTH, validate_credit_code

if TYPE_CHECKING:
    from .auth import Caller
    from .permissions import MembershipFact


# Input bounds, written once for the model, the API serializers and the page forms.
USERNAME_MAX_LENGTH = 150  # AbstractUser.username's max_length
PHONE_MAX_LENGTH = 20


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)

    REQUIRED_FIELDS: ClassVar[list[str]] = []

    _memberships: "list[MembershipFact]"  # read once per user object (orgs.permissions.memberships_of)
    _grid_manager_paths: list[str]  # likewise (orgs.permissions.grid_manager_paths)
    _grid_viewer_paths: list[str]  # likewise (orgs.permissions.grid_viewer_paths)
    _grid_paths: dict[int, str]  # likewise (orgs.permissions._jurisdiction_paths)

    def __str__(self) -> str:
        return self.display_name or self.username


class Area(models.Model):
    """A node of the area grid. ``path`` is a materialised path of codes ("510107/wh01/…/") so a
    subtree is one indexed prefix query."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")
        ZONE = "zone", _("Zone (片区)")
        COMPOUND = "compound", _("Compound (院落)")
        BUILDING = "building", _("Building (楼栋)")

    LEVEL_ORDER = [level.value for level in Level]

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, - and _ only."))],
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(max_length=500, db_index=True, editable=False, verbose_name=_("path"))

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def contains(self, other: "Area") -> bool:
        return other.path.startswith(self.path)


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Organization]":
        """What the user may see; the rule is ``orgs.permissions.organizations_visible_to``."""
        from .permissions import organizations_visible_to  # the permission module imports the models

        return organizations_visible_to(self, user)


class Organization(ConcurrentTransitionMixin, models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau")
        PROVIDER = "provider", _("Provider")
        ASSESSOR = "assessor", _("Assessor")
        COMMUNITY = "community", _("Community committee")
        # The finance department (财政部门) that decides complaints (投诉) about the bureaus in its
        # jurisdiction (docs/rules.md §17.5).
        REVIEW_BODY = "review_body", _("Review body (finance department)")

    class LegalType(models.TextChoices):
        GOVERNMENT_AGENCY = "government_agency", _("Government agency (机关)")
        ENTERPRISE = "enterprise", _("Enterprise (企业)")
        SOCIAL_ORGANIZATION = "social_organization", _("Social organisation (社会组织)")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution, class II (公益二类事业单位)")
        GRASSROOTS_AUTONOMOUS = "grassroots_autonomous", _("Grassroots autonomous organisation")
        RURAL_COLLECTIVE = "rural_collective", _("Rural collective economic organisation")
        INDIVIDUAL = "individual", _("Individual")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    legal_type = models.CharField(_("legal type"), max_length=24, choices=LegalType.choices)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=CREDIT_CODE_LENGTH,
        unique=True,
        validators=[validate_credit_code],
    )
    status = FSMField(
        default=Status.PENDING, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    jurisdiction = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jurisdiction"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return bool(self.status == self.Status.VERIFIED)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.PENDING, Status.SUSPENDED], target=Status.VERIFIED)
    def verify(self, by: "User | None" = None, description: str | None = None) -> None:
        """Verified by the platform admin; a suspended organisation is reinstated the same way."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.PENDING, Status.VERIFIED], target=Status.SUSPENDED)
    def suspend(self, by: "User | None" = None, description: str | None = None) -> None:
        """Stops the organisation acting (bidding, signing)."""


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        OFFICER = "officer", _("Officer")
        FINANCE = "finance", _("Finance")
        EVALUATOR = "evaluator", _("Evaluator")
        STAFF = "staff", _("Staff")
        MEMBER = "member", _("Member")

    ROLES_BY_KIND = {
        Organization.Kind.BUREAU: {Role.ADMIN, Role.OFFICER, Role.FINANCE, Role.EVALUATOR},
        Organization.Kind.PROVIDER: {Role.ADMIN, Role.STAFF},
        Organization.Kind.ASSESSOR: {Role.ADMIN, Role.MEMBER},
        Organization.Kind.COMMUNITY: {Role.ADMIN, Role.MEMBER},
        Organization.Kind.REVIEW_BODY: {Role.ADMIN, Role.MEMBER},
    }

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_membership_role")
        ]
        ordering = ["id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role}"


class PastMembership(models.Model):
    """A membership that ended (``orgs.services.member_remove``; the admin's deletion goes through it).
    Memberships themselves are the current ones; what someone belonged to in the last years is kept
    here, so that an evaluator who left a bidding organisation less than 3 years ago still has a
    conflict of interest (docs/rules.md §17.7). A member who re-joins and leaves again has a row for
    each time."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="past_memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="past_memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Membership.Role.choices)
    started_at = models.DateTimeField(_("member since"))
    ended_at = models.DateTimeField(_("ended at"))

    class Meta:
        ordering = ["-ended_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gte=models.F("started_at")), name="past_membership_period"
            )
        ]
        verbose_name = _("past membership")
        verbose_name_plural = _("past memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role} (→ {self.ended_at:%Y-%m-%d})"


HOUSEHOLD_CODE_MAX_LENGTH = 40


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Household]":
        """What the user may see; the rule is ``orgs.permissions.households_visible_to``."""
        from .permissions import households_visible_to  # the permission module imports the models

        return households_visible_to(self, user)


class Household(models.Model):
    """A household index card (索引卡)."""

    code = models.CharField(
        _("household code"),
        max_length=HOUSEHOLD_CODE_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, - and _ only."))],
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("area")
    )
    phone = models.CharField(
        _("phone on the household register"),
        max_length=PHONE_MAX_LENGTH,
        blank=True,
        help_text=_("A resident who registers with this household may confirm it by a code sent here."),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        constraints = [
            # Codes compare case-insensitively (docs/rules.md §12.2): "wh0001" is the household "WH0001".
            models.UniqueConstraint(
                Lower("code"),
                name="household_code_unique_ci",
                violation_error_message=_("A household with this code already exists."),
            ),
        ]
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code

    @property
    def masked_code(self) -> str:
        """The code as pages show it to a contract's parties: ``WH0001`` → ``WH**01``
        (docs/rules.md §12.2)."""
        code = self.code
        if len(code) <= 4:
            return code[:1] + "*" * (len(code) - 1)
        return code[:2] + "*" * (len(code) - 4) + code[-2:]


class ResidentQuerySet(models.QuerySet["Resident"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Resident]":
        """What the user may see; the rule is ``orgs.permissions.residents_visible_to``."""
        from .permissions import residents_visible_to  # the permission module imports the models

        return residents_visible_to(self, user)


class Resident(ConcurrentTransitionMixin, models.Model):
    """A user who says they live in a household. Knowing a household code proves nothing, so a
    registration starts ``pending`` and counts only once ``confirmed``: by a member of the community
    committee or a bureau officer whose jurisdiction covers the household, or by the code sent to
    the phone on the household register (docs/rules.md §12.2)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="resident", verbose_name=_("user")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    status = FSMField(
        default=Status.PENDING, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    rejection_reason = models.TextField(blank=True, verbose_name=_("rejection reason"))
    phone_code_hash = models.CharField(
        max_length=128, blank=True, editable=False, verbose_name=_("phone code hash")
    )
    phone_code_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("phone code sent at")
    )
    phone_code_attempts = models.PositiveSmallIntegerField(
        default=0, editable=False, verbose_name=_("wrong phone code attempts")
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        ordering = ["created_at", "id"]
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return f"{self.user} @ {self.household}"

    @property
    def is_confirmed(self) -> bool:
        return bool(self.status == self.Status.CONFIRMED)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PENDING, target=Status.CONFIRMED)
    def confirm(self, by: "User | None" = None, description: str | None = None) -> None:
        """Confirmed by the community or bureau, or by the code sent to the household's phone."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, by: "User | None" = None, description: str | None = None) -> None:
        """Not a member of the household, as far as the community or bureau can tell."""


class HouseholdImportQuerySet(models.QuerySet["HouseholdImport"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[HouseholdImport]":
        """What the user may see; the rule is ``orgs.permissions.household_imports_visible_to``."""
        from .permissions import household_imports_visible_to  # the permission module imports the models

        return household_imports_visible_to(self, user)


class HouseholdImport(models.Model):
    """One CSV import of households, run by a Celery task: who sent which file, how far the task
    has got, and the outcome (the counts, or every row's errors: all or nothing)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    # The bureau the sender acted for (none for the platform admin): its officers follow the job too.
    bureau = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # the file until the job has finished, then emptied
    content = models.BinaryField(editable=False, verbose_name=_("file content"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0, verbose_name=_("rows in total"))
    rows_processed = models.PositiveIntegerField(default=0, verbose_name=_("rows processed"))
    created_count = models.PositiveIntegerField(default=0, verbose_name=_("households created"))
    unchanged_count = models.PositiveIntegerField(default=0, verbose_name=_("households unchanged"))
    errors = models.JSONField(default=dict, blank=True, verbose_name=_("errors"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    objects = HouseholdImportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("household import")
        verbose_name_plural = _("household imports")

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class GridPostQuerySet(models.QuerySet["GridPost"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[GridPost]":
        """What the user may see; the rule is ``orgs.permissions.grid_posts_visible_to``."""
        from .permissions import grid_posts_visible_to  # the permission module imports the models

        return grid_posts_visible_to(self, user)


class GridPost(ConcurrentTransitionMixin, models.Model):
    """Who is responsible at a node of the grid (网格, docs/rules.md §25): a committee member for a
    community or zone, a grid worker (网格员) for a compound, a central household head (中心户长) for
    a building — with the organisation that employs them, if any (a provider: FR-1.7). A post ends
    (logged) rather than being deleted, so the grid's history stays."""

    class Role(models.TextChoices):
        COMMITTEE_MEMBER = "committee_member", _("Committee member responsible")
        GRID_WORKER = "grid_worker", _("Grid worker (网格员)")
        HOUSEHOLD_HEAD = "household_head", _("Central household head (中心户长)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Current")
        ENDED = "ended", _("Ended")

    # The levels of the grid: a community and the nodes below it.
    LEVELS = (Area.Level.COMMUNITY, Area.Level.ZONE, Area.Level.COMPOUND, Area.Level.BUILDING)

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="grid_posts", verbose_name=_("area")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="grid_posts", verbose_name=_("person responsible")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    employer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employer"),
    )
    status = FSMField(default=Status.ACTIVE, choices=Status.choices, protected=True, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))

    objects = GridPostQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "user", "role"],
                condition=models.Q(status="active"),
                name="unique_active_grid_post",
            )
        ]
        verbose_name = _("grid post")
        verbose_name_plural = _("grid posts")

    def __str__(self) -> str:
        return f"{self.user} · {self.area} · {self.role}"

    @property
    def is_active(self) -> bool:
        return bool(self.status == self.Status.ACTIVE)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.ENDED)
    def end(self, by: "User | None" = None, description: str | None = None) -> None:
        """The person is no longer responsible for the node."""
