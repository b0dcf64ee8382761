"""Writes of household imports: a bureau officer's CSV of households (header ``code,area``), run
by a Celery task because a large file takes longer than a web request may (docs/architecture.md §6).

- ``household_import_start`` checks who, then size, stores the file as a job and queues the task
  after commit; ``household_import_run`` is the task's work.
- All or nothing, as before: a file with any bad row creates no household, and the job keeps every
  row's errors. Households already there in the same area are counted as unchanged, so an import
  can be repeated; codes compare case-insensitively.
- Checking is done outside any transaction, reporting progress as it goes; the households are then
  written in one short transaction with the job's outcome. A job interrupted (worker killed) has
  written nothing and is run again from the start when the task is redelivered.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid

from .models import Area, Household, HouseholdImport, User
from .permissions import household_import_bureau
from .services import _check_household_area

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
PROGRESS_EVERY = 500  # rows checked between two progress reports

Progress = Callable[[int, int], None]


def household_import_start(*, actor: User, file_name: str, content: bytes) -> HouseholdImport:
    """Accept a CSV of households for import: who first (bureau officers and admins with a
    jurisdiction, and the platform admin), then size (at most 5 MB). The job is queued; its
    task runs after commit. The caller follows it at ``households/imports/{id}/``."""
    if not rules.has_perm("orgs.manage_households", actor):
        raise Forbidden()
    household_import_check_size(len(content))
    bureau = household_import_bureau(actor)
    from .tasks import household_import_task

    with transaction.atomic():
        job = HouseholdImport.objects.create(
            created_by=actor, bureau=bureau, file_name=file_name[:255], content=content
        )
        household_import_task.delay_on_commit(job.pk)
    return job


def household_import_check_size(size: int, *, limit: int = MAX_IMPORT_BYTES) -> None:
    """A file (or a request carrying one, with its own ``limit``) larger than 5 MB is refused."""
    if size > limit:
        raise Invalid({"file": [_("The file may be at most 5 MB.")]})


def household_import_run(*, import_id: int) -> HouseholdImport:
    """The task's work: check every row, then create the new households in one transaction, or
    none and record every row's errors. Idempotent: a finished job is left as it is."""
    with transaction.atomic():
        job = HouseholdImport.objects.select_for_update().select_related("created_by").get(pk=import_id)
        if job.is_finished:
            return job
        job.status, job.started_at, job.rows_processed = HouseholdImport.Status.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "rows_processed"])

    def progress(done: int, total: int) -> None:
        HouseholdImport.objects.filter(pk=import_id).update(rows_processed=done, rows_total=total)

    try:
        plan = _plan(actor=job.created_by, content=bytes(job.content), progress=progress)
        with transaction.atomic():
            job = HouseholdImport.objects.select_for_update().get(pk=import_id)
            if job.status != HouseholdImport.Status.RUNNING:
                return job
            created, unchanged = _apply(plan)
            job.created_count, job.unchanged_count = created, unchanged
            return _finish(job, HouseholdImport.Status.DONE, total=plan.total)
    except Invalid as error:
        return _fail(import_id, error.extra["fields"])
    except Forbidden:
        return _fail(import_id, {"file": [_("You may no longer manage households.")]})
    except IntegrityError:  # another import created some of these households at the same moment
        return _fail(
            import_id, {"file": [_("Some households were created meanwhile: import the file again.")]}
        )
    except Exception:
        # Never leave the officer's page waiting for a job that has stopped: it failed, and says so.
        logger.exception("household import %s stopped", import_id)
        _fail(import_id, {"file": [_("The import stopped unexpectedly: import the file again.")]})
        raise


def _finish(job: HouseholdImport, status: str, *, total: int | None = None) -> HouseholdImport:
    job.status, job.finished_at = status, timezone.now()
    if total is not None:
        job.rows_total = job.rows_processed = total
    job.content = b""  # the households are in the register now (or the file was refused)
    job.save()
    return job


def _fail(import_id: int, errors: dict[str, Any]) -> HouseholdImport:
    with transaction.atomic():
        job = HouseholdImport.objects.select_for_update().get(pk=import_id)
        if job.status != HouseholdImport.Status.RUNNING:
            return job
        job.errors = errors
        job.rows_processed = job.rows_total  # every row was checked, or the file was refused whole
        return _finish(job, HouseholdImport.Status.FAILED)


@dataclass
class _Plan:
    total: int
    to_create: list[tuple[int, Household]] = field(default_factory=list)  # (line, household)
    unchanged: int = 0


def _rows(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid({"file": [_("The file must be UTF-8 text.")]}) from error
    try:
        reader = csv.DictReader(io.StringIO(text))
        fieldnames = reader.fieldnames
        if not fieldnames or {"code", "area"} - {name.strip() for name in fieldnames}:
            raise Invalid({"file": [_("The first line must be the header: code,area")]})
        rows = []
        for row in reader:
            rows.append(
                {key.strip(): (value or "").strip() for key, value in row.items() if isinstance(key, str)}
            )
            if len(rows) > MAX_IMPORT_ROWS:
                break
    except csv.Error as error:
        raise Invalid({"file": [_("The file is not a CSV file.")]}) from error
    if not rows:
        raise Invalid({"file": [_("The file has no rows.")]})
    if len(rows) > MAX_IMPORT_ROWS:
        raise Invalid({"file": [_("At most %(n)d rows per file.") % {"n": MAX_IMPORT_ROWS}]})
    return rows


def _code_errors(code: str) -> list[str]:
    """The household code field's own checks (required, length, characters), without a query."""
    code_field = Household._meta.get_field("code")
    try:
        code_field.clean(code, None)
    except ValidationError as error:
        return [str(message) for message in error.messages]
    return []


def _plan(*, actor: User, content: bytes, progress: Progress) -> _Plan:
    """Check every row with a few queries in all (no query per row), reporting progress."""
    if not rules.has_perm("orgs.manage_households", actor):
        raise Forbidden()
    rows = _rows(content)
    total = len(rows)
    progress(0, total)
    areas = {area.code: area for area in Area.objects.filter(code__in={row["area"] for row in rows})}
    existing = {
        household.code.lower(): household for household in _households_by_codes(row["code"] for row in rows)
    }
    allowed: dict[int, list[str]] = {}  # area id → the area's errors (empty when households may go there)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    plan = _Plan(total=total)
    for line, row in enumerate(rows, start=2):
        code, area = row["code"], areas.get(row["area"])
        key = code.lower()
        row_errors: list[str] = []
        if area is None:
            row_errors.append(_("Unknown area code %(code)s.") % {"code": row["area"]})
        else:
            if area.pk not in allowed:
                allowed[area.pk] = _area_errors(actor, area)
            row_errors.extend(allowed[area.pk])
        if key in seen:
            row_errors.append(_("Household code %(code)s appears twice in the file.") % {"code": code})
        seen.add(key)
        known = existing.get(key)
        if known is None:
            row_errors.extend(_code_errors(code))
        elif area is not None and known.area_id != area.pk:
            row_errors.append(_("Household %(code)s exists in another area.") % {"code": code})
        if row_errors:
            errors[str(line)] = row_errors
        elif known is not None:
            plan.unchanged += 1
        else:
            assert area is not None
            plan.to_create.append((line, Household(code=code, area=area, created_by=actor)))
        if (line - 1) % PROGRESS_EVERY == 0:
            progress(line - 1, total)
    if errors:
        raise Invalid({"rows": errors})
    return plan


def _households_by_codes(codes: Iterable[str]) -> QuerySet[Household]:
    """Households with any of these codes, in any letter case (one query)."""
    return Household.objects.alias(code_lower=Lower("code")).filter(code_lower__in={c.lower() for c in codes})


def _area_errors(actor: User, area: Area) -> list[str]:
    """Why the actor's households may not go in this area (none if they may): the same rule as
    for one household."""
    try:
        _check_household_area(actor, area)
    except Invalid as error:
        return [str(message) for message in error.extra["fields"]["area"]]
    return []


def _apply(plan: _Plan) -> tuple[int, int]:
    """Create the planned households (the caller holds the transaction). A household created
    since the check by someone else counts as unchanged when it is the same, else refuses the
    file."""
    codes = (household.code for _line, household in plan.to_create)
    meanwhile = {household.code.lower(): household for household in _households_by_codes(codes)}
    errors: dict[str, list[str]] = {}
    new: list[Household] = []
    unchanged = plan.unchanged
    for line, household in plan.to_create:
        known = meanwhile.get(household.code.lower())
        if known is None:
            new.append(household)
        elif known.area_id == household.area_id:
            unchanged += 1
        else:
            errors[str(line)] = [_("Household %(code)s exists in another area.") % {"code": household.code}]
    if errors:
        raise Invalid({"rows": errors})
    Household.objects.bulk_create(new, batch_size=1000)
    return len(new), unchanged
