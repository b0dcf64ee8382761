"""The bench's data set: the demo district built with the project's own services (every state of
every machine, as ``make run`` shows it), then volume by bulk inserts of rows copied from those
real ones, so that every row is in a state the services could have produced:

- tenders: copies of the demo's published tender (open for bids, its KPIs, criteria, payment
  schedule and areas) and of its cancelled one, on a budget line large enough for them all;
- a pool of draft tenders (copies of the demo's draft) for the mixed load to publish;
- residents: confirmed, one per household, in the area of the demo's bathing contract, each with an
  API token and recorded as a recipient of one of its service events — so each may rate it once;
- ratings: valid ratings of the demo's home-care contract's open evaluation by the first of those
  households (one per household, as the rule says).

Writes ``manifest.json`` beside the database: ids and tokens for the load scripts."""

import datetime
import json
import secrets
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from common import public_cache

BATCH = 2_000


def build(*, tenders: int, residents: int, ratings: int, drafts: int, out: Path) -> dict[str, Any]:
    from rest_framework.authtoken.models import Token

    from auditchain.chain import record_created
    from contracts.models import Contract, ServiceEvent
    from demo.seed import is_seeded, seed
    from evaluations.models import Evaluation, Rating
    from marketplace import services as market
    from marketplace.models import BudgetLine, Tender
    from marketplace.services.terms import earliest_bid_deadline
    from orgs.models import Household, Resident, User

    from .views import create_probe_table

    create_probe_table()
    if not is_seeded():
        seed()
    officer = User.objects.get(username="officer")
    published = Tender.objects.filter(status=Tender.Status.PUBLISHED).order_by("id").first()
    cancelled = Tender.objects.filter(status=Tender.Status.CANCELLED).order_by("id").first()
    draft = Tender.objects.filter(status=Tender.Status.DRAFT).order_by("id").first()
    assert published and cancelled and draft, "the demo has a published, a cancelled and a draft tender"

    line = BudgetLine.objects.filter(name="bench").first()
    if line is None:
        with transaction.atomic():
            line = market.budget_line_create(
                actor=User.objects.get(username="finance"),
                bureau=published.bureau,
                fiscal_year=published.budget_line.fiscal_year,
                name="bench",
                source=BudgetLine.Source.DEPARTMENT_BUDGET,
                amount=10**15,
                currency="CNY",
            )

    have = Tender.objects.count()
    copies = max(0, tenders - have)
    for start in range(0, copies, BATCH):
        n = min(BATCH, copies - start)
        _copy_tenders(published, n - n // 10, line)
        _copy_tenders(cancelled, n // 10, line)

    drafts_on_line = Tender.objects.filter(status=Tender.Status.DRAFT, budget_line=line)
    if drafts_on_line.count() < drafts:
        _copy_tenders(draft, drafts - drafts_on_line.count(), line)
    # publishable today: the earliest deadline allowed, the service starting after it (as drafted)
    deadline = earliest_bid_deadline() + datetime.timedelta(days=1)
    starts = deadline.date() + datetime.timedelta(days=30)
    drafts_on_line.update(
        bid_deadline=deadline,
        service_start=starts,
        service_end=starts + (draft.service_end - draft.service_start),
    )
    pool = list(drafts_on_line.values_list("id", flat=True))

    bathing = Contract.objects.get(tender__title__contains="助浴")
    home_care = Contract.objects.get(tender__title__contains="居家养老")
    event = ServiceEvent.objects.filter(contract=bathing).order_by("id").first()
    assert event is not None
    made = Household.objects.filter(code__startswith="BH").count()
    if made < residents:
        _residents(range(made, residents), event=event, confirmed_by=officer)
    tokens = list(
        Token.objects.filter(user__resident__household__code__startswith="BH")
        .order_by("user_id")
        .values_list("key", flat=True)[:residents]
    )

    # ratings the rating load gave in an earlier run: gone, so that every household may rate again
    Rating.objects.filter(contract=bathing, household__code__startswith="BH").delete()

    evaluation = Evaluation.objects.filter(contract=home_care).order_by("-id").first()
    assert evaluation is not None
    rated = Rating.objects.filter(evaluation=evaluation, household__code__startswith="BH").count()
    if rated < ratings:
        households = list(
            Resident.objects.filter(household__code__startswith="BH")
            .order_by("household_id")
            .values_list("household_id", "user_id")[rated:ratings]
        )
        # the home-care contract served them too: recorded as recipients of one of its events
        care_event = ServiceEvent.objects.filter(contract=home_care).order_by("id").first()
        assert care_event is not None
        through = ServiceEvent.recipients.through
        for start in range(0, len(households), BATCH):
            chunk = households[start : start + BATCH]
            through.objects.bulk_create(
                [through(serviceevent_id=care_event.id, household_id=h) for h, _ in chunk],
                ignore_conflicts=True,
            )
            made_ratings = Rating.objects.bulk_create(
                [
                    Rating(
                        household_id=h,
                        contract=home_care,
                        evaluation=evaluation,
                        rater_id=u,
                        satisfaction=4,
                        resolved=Rating.Resolved.YES,
                        channel=Rating.Channel.WEB,
                        client_address=f"10.{h // 65536 % 256}.{h // 256 % 256}.{h % 256}",
                    )
                    for h, u in chunk
                ]
            )
            # no signal: the tamper-evident log is appended explicitly (docs/rules.md §24)
            if not made_ratings or made_ratings[0].pk is None:
                made_ratings = list(
                    Rating.objects.filter(evaluation=evaluation, household_id__in=[h for h, _ in chunk])
                )
            record_created(made_ratings)

    Token.objects.get_or_create(user=officer)
    public_cache.changed()  # the bulk inserts sent no signal: the public lists are new
    manifest = {
        "vendor": connection.vendor,
        "tenders": Tender.objects.count(),
        "public_tenders": Tender.objects.filter(status__in=Tender.PUBLIC_STATUSES).count(),
        "residents": Resident.objects.count(),
        "contracts": Contract.objects.count(),
        "ratings": Rating.objects.count(),
        "rating_contract": bathing.id,
        "resident_tokens": tokens,
        "officer_token": Token.objects.get(user=officer).key,
        "draft_pool": pool,
    }
    out.write_text(json.dumps(manifest))
    return manifest


def _copy_tenders(source: Any, n: int, line: Any, **fields: Any) -> None:
    """``n`` copies of ``source`` with its KPIs, criteria, payment schedule and areas."""
    from marketplace.models import Tender

    if n <= 0:
        return
    now = timezone.now()
    related = [
        (rel.related_model, rel.field.name, list(getattr(source, rel.get_accessor_name()).all()))
        for rel in Tender._meta.related_objects
        if rel.get_accessor_name() in ("kpis", "criteria", "payment_schedule")
    ]
    areas = list(source.areas.values_list("id", flat=True))
    with transaction.atomic():
        copies = []
        for index in range(n):
            copy = Tender.objects.get(pk=source.pk)
            copy.pk = None
            copy.id = None
            copy.budget_line = line
            copy.title = f"{source.title}（{secrets.token_hex(3)}）" if index else source.title
            copy.created_at = copy.updated_at = now
            for name, value in fields.items():
                setattr(copy, name, value)
            copies.append(copy)
        made = Tender.objects.bulk_create(copies)
        if not made or made[0].pk is None:  # backends that do not return ids (older SQLite)
            made = list(Tender.objects.order_by("-id")[:n])
        for model, fk, rows in related:
            objects = []
            for tender in made:
                for row in rows:
                    values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                    values.pop("id")
                    values[f"{fk}_id"] = tender.pk
                    objects.append(model(**values))
            model.objects.bulk_create(objects, batch_size=BATCH)
        through = Tender.areas.through
        through.objects.bulk_create(
            [through(tender_id=t.pk, area_id=a) for t in made for a in areas], batch_size=BATCH
        )


def _residents(indexes: range, *, event: Any, confirmed_by: Any) -> None:
    """Confirmed residents, one per household, in the event's area, recipients of the event."""
    from rest_framework.authtoken.models import Token

    from contracts.models import ServiceEvent
    from orgs.models import Household, Resident, User

    now = timezone.now()
    for start in range(indexes.start, indexes.stop, BATCH):
        chunk = range(start, min(start + BATCH, indexes.stop))
        with transaction.atomic():
            households = Household.objects.bulk_create(
                [Household(code=f"BH{i:07d}", area_id=event.area_id, created_by=confirmed_by) for i in chunk]
            )
            users = User.objects.bulk_create(
                [User(username=f"bench{i:07d}", password="!", display_name=f"居民{i}") for i in chunk]
            )
            households = list(
                Household.objects.filter(code__in=[f"BH{i:07d}" for i in chunk]).order_by("code")
            )
            users = list(
                User.objects.filter(username__in=[f"bench{i:07d}" for i in chunk]).order_by("username")
            )
            Resident.objects.bulk_create(
                [
                    Resident(
                        user=u,
                        household=h,
                        status=Resident.Status.CONFIRMED,
                        decided_at=now,
                        decided_by=confirmed_by,
                    )
                    for u, h in zip(users, households, strict=True)
                ]
            )
            Token.objects.bulk_create([Token(key=secrets.token_hex(20), user=u) for u in users])
            through = ServiceEvent.recipients.through
            through.objects.bulk_create(
                [through(serviceevent_id=event.id, household_id=h.id) for h in households]
            )
