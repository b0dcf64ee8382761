"""``python -m bench settle``: how fast due evaluations are confirmed — the money of N contracts
settled (docs/scaling.md, issue 13).

Builds N contracts whose evaluations are due — copies of the demo's home-care contract, each on a
tender and bid of its own, its advance payable, its midterm or final evaluation published with
scores worked out by the project's own scoring from the components and from ``--ratings`` ratings
of it (bulk-inserted, chained in the tamper-evident log as the bench's other ratings are), the
appeal window over — then confirms them, a fresh set of N for each way:

- ``one-by-one``: ``confirm_evaluation`` for each, in this process (the path before issue 13);
- ``chunked``: ``confirm_evaluations_chunk`` for each chunk of ``--chunk``, in this process;
- ``workers-K``: ``confirm_due_evaluations`` queues the chunks on Redis (``--broker``, a database
  number of the bench's own) and K Celery worker processes settle them (PostgreSQL only: SQLite
  serialises writers).

Prints contracts/s, queries per contract, and the machine's load; checks that every evaluation is
final, the ledger invariant of a sample of contracts and, with ``--verify``, the whole log."""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from .run import ROOT, VAR, bench_database_url

MODES = ("one-by-one", "chunked", "workers-1", "workers-2")
QUEUE = "settle-bench"
HOUSEHOLD_PREFIX = "SB"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench settle", description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_000, help="contracts settled in each way")
    parser.add_argument("--ratings", type=int, default=100, help="ratings of each evaluation")
    parser.add_argument("--chunk", type=int, default=200, help="evaluations per chunk (SETTLEMENT_CHUNK)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9", help="the workers' Redis")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set from nothing")
    parser.add_argument("--verify", action="store_true", help="verify the whole tamper-evident log after")
    parser.add_argument("--var", type=Path, default=VAR)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        raise SystemExit(f"unknown modes: {', '.join(sorted(unknown))}")
    data_dir = (args.var / "settle").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SHEQU_VAR_DIR": str(data_dir),
        "DATABASE_URL": bench_database_url(args.fresh, data_dir),
        "SETTLEMENT_CHUNK": str(args.chunk),
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    }
    env.pop("CELERY_BROKER_URL", None)
    print(f"bench settle: data set in {env['DATABASE_URL'].split('@')[-1]} …", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    if any(mode.startswith("workers") for mode in modes):
        env["BENCH_SETTLE_BROKER"] = args.broker  # bench.settings: the only broker it ever names
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        skipped = [m for m in modes if m.startswith("workers")]
        if skipped:
            print(f"SQLite: {', '.join(skipped)} skipped (SQLite serialises writers; set DATABASE_URL)")
        modes = [m for m in modes if not m.startswith("workers")]
    results = []
    for mode in modes:
        started = time.perf_counter()
        ids = build(args.contracts, args.ratings)
        built = time.perf_counter() - started
        print(
            f"  built {len(ids)} due evaluations, {len(ids) * args.ratings} ratings in {built:.1f} s",
            flush=True,
        )
        result = settle(mode, ids, args, env, data_dir)
        result |= check(ids)
        results.append(result)
        print_result(result)
    if args.verify:
        from auditchain.verify import verify

        started = time.perf_counter()
        problems = verify()
        print(f"log verified in {time.perf_counter() - started:.1f} s: {len(problems)} problems")
    report = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(),
        "vendor": connection.vendor,
        "contracts": args.contracts,
        "ratings_per_evaluation": args.ratings,
        "chunk": args.chunk,
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "results": results,
    }
    (data_dir / "latest.json").write_text(json.dumps(report, indent=1))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    return 0


class Counter:
    """Counts the statements this process sends (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def settle(mode: str, ids: list[int], args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> dict:
    from django.db import connection

    from config.celery import app
    from evaluations.tasks import confirm_evaluation, confirm_evaluations_chunk

    app.conf.task_always_eager = True  # what the confirmations send runs here (or is sent nowhere)
    load = os.getloadavg()[0]
    counter = Counter()
    started = time.perf_counter()
    if mode == "one-by-one":
        with connection.execute_wrapper(counter):
            for evaluation_id in ids:
                confirm_evaluation(evaluation_id)
    elif mode == "chunked":
        with connection.execute_wrapper(counter):
            for start in range(0, len(ids), args.chunk):
                confirm_evaluations_chunk(ids[start : start + args.chunk])
    else:
        begin, end = run_workers(int(mode.split("-")[1]), ids, args, env, data_dir)
        started = time.perf_counter() - (end - begin)
    seconds = time.perf_counter() - started
    return {
        "mode": mode,
        "contracts": len(ids),
        "seconds": round(seconds, 2),
        "contracts_per_s": round(len(ids) / seconds, 1),
        "queries_per_contract": round(counter.n / len(ids), 2) if counter.n else None,
        "queries_per_chunk": round(counter.n / -(-len(ids) // args.chunk), 1)
        if counter.n and mode == "chunked"
        else None,
        "load_before": round(load, 2),
    }


def run_workers(
    k: int, ids: list[int], args: argparse.Namespace, env: dict[str, str], data_dir: Path
) -> tuple[float, float]:
    """Start K worker processes on the bench's Redis, wait until they answer, queue the due chunks
    (``confirm_due_evaluations``, as the beat does) and wait until every evaluation is final.
    Returns when the job was queued and when the last evaluation was confirmed (epoch seconds)."""
    from django.db.models import Max

    from config.celery import app
    from evaluations.models import Evaluation
    from evaluations.tasks import confirm_due_evaluations

    worker_env = {**env, "BENCH_SETTLE_BROKER": args.broker}
    app.conf.task_always_eager = False
    celery = str(Path(sys.executable).parent / "celery")
    workers = []
    log = (data_dir / "workers.log").open("ab")
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)
        for index in range(k):
            command = [celery, "-A", "config", "worker", "--pool", "solo", "-Q", QUEUE]
            command += ["-n", f"settle{index}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
            command += ["--loglevel", "warning"]
            workers.append(subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=log, stderr=log))
        prefixes = {f"settle{index}-{os.getpid()}@" for index in range(k)}
        for _ in range(240):
            answered = {name.split("@")[0] + "@" for reply in app.control.ping(timeout=0.5) for name in reply}
            if prefixes <= answered:
                break
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit(f"a worker exited; see {data_dir / 'workers.log'}")
        else:
            raise SystemExit("the workers did not answer")
        with app.producer_or_acquire() as producer:  # connected before the clock starts
            producer.connection.ensure_connection()
            started = time.time()
            confirm_due_evaluations.apply_async(producer=producer)
        pending = Evaluation.objects.filter(pk__in=ids, status=Evaluation.Status.PUBLISHED)
        while pending.exists():
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit(f"a worker exited; see {data_dir / 'workers.log'}")
            time.sleep(0.2)
        # the end is the last confirmation's own time, not when the poll saw it
        last = Evaluation.objects.filter(pk__in=ids).aggregate(last=Max("confirmed_at"))["last"]
        return started, last.timestamp()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        app.conf.task_always_eager = True


def check(ids: list[int]) -> dict:
    from contracts.models import Contract
    from contracts.settlement import ledger_invariant_holds
    from evaluations.models import Evaluation

    final = Evaluation.objects.filter(pk__in=ids, status=Evaluation.Status.FINAL).count()
    sample = Contract.objects.filter(evaluations__pk__in=random.sample(ids, min(50, len(ids))))
    return {
        "all_final": final == len(ids),
        "ledger_invariant_sample": all(map(ledger_invariant_holds, sample)),
    }


def print_result(result: dict) -> None:
    queries = result["queries_per_contract"]
    per_chunk = f", {result['queries_per_chunk']} per chunk" if result.get("queries_per_chunk") else ""
    print(
        f"{result['mode']:>11}: {result['contracts']} contracts in {result['seconds']:.2f} s = "
        f"{result['contracts_per_s']:.0f}/s"
        + (f", {queries} queries per contract{per_chunk}" if queries else "")
        + f"; final {result['all_final']}, ledger invariant {result['ledger_invariant_sample']}"
        + f" (load {result['load_before']})",
        flush=True,
    )


# --- The data set -------------------------------------------------------------------------------


def _copy(row: Any, **values: Any) -> Any:
    """An unsaved copy of ``row`` with ``values``."""
    fields = {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}
    fields.pop("id")
    fields.update(values)
    return type(row)(**fields)


def build(n: int, ratings: int) -> list[int]:
    """N contracts with a due evaluation each (see the module's docstring); their evaluations' ids.
    Of every 8: 2 midterms that pass, 1 that fails, 5 final evaluations in bands A to D."""
    from django.db import transaction
    from django.utils import timezone

    from auditchain.chain import record_created
    from contracts.models import Contract, Instalment, ServiceEvent
    from demo.seed import is_seeded, seed
    from evaluations import scoring
    from evaluations.models import Evaluation, Rating
    from marketplace.models import Bid, Tender

    from .dataset import BATCH, _copy_tenders

    if not is_seeded():
        seed()
    home_care = Contract.objects.select_related("tender", "bid").filter(tender__title__contains="居家养老")
    source = home_care.order_by("id").first()  # the demo's, not a copy
    assert source is not None
    rule = source.frozen_terms.rule
    voters = _households(ratings, source)
    now = timezone.now()
    with transaction.atomic():
        line = _copy(source.tender.budget_line, name=f"settle {now.isoformat()}", amount=10**15)
        line.save()
    _copy_tenders(source.tender, n, line)
    ids: list[int] = []
    tenders = list(Tender.objects.filter(budget_line=line).order_by("id"))
    for start in range(0, n, BATCH):
        chunk = tenders[start : start + BATCH]
        with transaction.atomic():
            bids = Bid.objects.bulk_create([_copy(source.bid, tender_id=t.pk) for t in chunk])
            contracts = Contract.objects.bulk_create(
                [
                    _copy(source, tender_id=t.pk, bid_id=b.pk, status=Contract.Status.ACTIVE)
                    for t, b in zip(chunk, bids, strict=True)
                ]
            )
            stages = [_stage(start + i) for i in range(len(contracts))]
            instalments = []
            for contract, (kind_of_evaluation, _) in zip(contracts, stages, strict=True):
                for row in source.instalments.order_by("sequence"):
                    released = row.kind == Instalment.Kind.ADVANCE or (
                        row.kind == Instalment.Kind.INTERIM and kind_of_evaluation == Evaluation.Stage.FINAL
                    )
                    status = Instalment.Status.PAYABLE if released else Instalment.Status.SCHEDULED
                    instalments.append(
                        _copy(
                            row,
                            contract_id=contract.pk,
                            status=status,
                            release_amount=row.amount if released else None,
                            withheld_amount=0,
                            split_from_id=None,
                        )
                    )
            Instalment.objects.bulk_create(instalments)
            events = ServiceEvent.objects.bulk_create(
                [
                    ServiceEvent(
                        contract_id=c.pk,
                        date=timezone.localdate(now),
                        area_id=voters["area"],
                        title="bench",
                        created_by_id=voters["by"],
                    )
                    for c in contracts
                ]
            )
            through = ServiceEvent.recipients.through
            through.objects.bulk_create(
                [through(serviceevent_id=e.pk, household_id=h) for e in events for h, _ in voters["rows"]],
                batch_size=BATCH,
            )
            earlier = [
                Evaluation(
                    contract_id=c.pk,
                    stage=Evaluation.Stage.MIDTERM,
                    status=Evaluation.Status.FINAL,
                    confirmed_at=now,
                    composite=Decimal("80.00"),
                    band="B",
                )
                for c, s in zip(contracts, stages, strict=True)
                if s[0] == Evaluation.Stage.FINAL
            ]
            Evaluation.objects.bulk_create(earlier)
            due = []
            for contract, (stage, score) in zip(contracts, stages, strict=True):
                n_pos = round(ratings * float(score) / 100)
                residents = scoring.residents_score(n=ratings, n_pos=n_pos, rule=rule) if ratings else score
                evaluation = Evaluation(
                    contract_id=contract.pk,
                    stage=stage,
                    status=Evaluation.Status.PUBLISHED,
                    third_party=score,
                    buyer=score,
                    community=score,
                    residents=residents,
                    residents_n=ratings,
                    residents_n_pos=n_pos,
                    residents_n_min=0,
                    residents_method=Evaluation.Method.ONLINE,
                    composite=scoring.composite_score(t=score, b=score, r=residents, c=score, rule=rule),
                    published_at=now - datetime.timedelta(days=11),
                    appeal_until=now - datetime.timedelta(days=1),
                )
                evaluation.follow_score(rule)
                due.append(evaluation)
            due = Evaluation.objects.bulk_create(due)
            made = Rating.objects.bulk_create(
                [
                    Rating(
                        household_id=h,
                        contract_id=e.contract_id,
                        evaluation_id=e.pk,
                        rater_id=u,
                        satisfaction=5 if i < (e.residents_n_pos or 0) else 2,
                        resolved=Rating.Resolved.YES,
                        channel=Rating.Channel.WEB,
                    )
                    for e in due
                    for i, (h, u) in enumerate(voters["rows"])
                ],
                batch_size=BATCH,
            )
            record_created(made)
            ids += [e.pk for e in due]
    return ids


SCORES = (Decimal("92"), Decimal("84"), Decimal("76"), Decimal("68"), Decimal("62"))


def _stage(index: int) -> tuple[str, Decimal]:
    """The stage and the component scores of the index-th contract."""
    from evaluations.models import Evaluation

    slot = index % 8
    if slot < 2:
        return Evaluation.Stage.MIDTERM, Decimal("85")
    if slot == 2:
        return Evaluation.Stage.MIDTERM, Decimal("40")
    return Evaluation.Stage.FINAL, SCORES[index % len(SCORES)]


def _households(count: int, source: Any) -> dict:
    """``count`` confirmed residents, one per household, in the area of the source contract's first
    service event (made once): the raters of every bench evaluation."""
    from django.db import transaction
    from django.utils import timezone

    from contracts.models import ServiceEvent
    from orgs.models import Household, Resident, User

    event = ServiceEvent.objects.filter(contract=source).order_by("id").first()
    assert event is not None
    made = Household.objects.filter(code__startswith=HOUSEHOLD_PREFIX).count()
    if made < count:
        officer = User.objects.get(username="officer")
        with transaction.atomic():
            codes = [f"{HOUSEHOLD_PREFIX}{i:07d}" for i in range(made, count)]
            Household.objects.bulk_create(
                [Household(code=code, area_id=event.area_id, created_by=officer) for code in codes]
            )
            User.objects.bulk_create([User(username=f"settle-{code}", password="!") for code in codes])
            users = {
                u.username: u.pk for u in User.objects.filter(username__in=[f"settle-{c}" for c in codes])
            }
            Resident.objects.bulk_create(
                [
                    Resident(
                        user_id=users[f"settle-{h.code}"],
                        household=h,
                        status=Resident.Status.CONFIRMED,
                        decided_at=timezone.now(),
                        decided_by=officer,
                    )
                    for h in Household.objects.filter(code__in=codes)
                ]
            )
    rows = list(
        Resident.objects.filter(household__code__startswith=HOUSEHOLD_PREFIX)
        .order_by("household__code")
        .values_list("household_id", "user_id")[:count]
    )
    return {"rows": rows, "area": event.area_id, "by": event.created_by_id}
