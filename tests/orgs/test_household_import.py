"""The household CSV import (issue 8 item 6): who first, then size, before the body is read; the
import runs as a job (202) whose progress its bureau follows at ``households/imports/{id}/``; all
or nothing and idempotent as before, and fast (a few queries whatever the number of rows)."""

import io
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Household, HouseholdImport
from orgs.tasks import household_import_task

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST a CSV to ``households/import/``; the job's task runs at commit, as in production."""

    def send(api_client, content: bytes, name: str = "households.csv", *, run: bool = True):
        file = SimpleUploadedFile(name, content, content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=run):
            return api_client.post("households/import/", {"file": file}, format="multipart")

    return send


def job_of(api_client, response) -> dict:
    """The job as its progress endpoint shows it now."""
    assert response.status_code == 202, response.content
    shown = api_client.get(f"households/imports/{response.json()['id']}/")
    assert shown.status_code == 200, shown.content
    return shown.json()


def csv_of(*rows: tuple[str, str]) -> bytes:
    return ("code,area\n" + "".join(f"{code},{area}\n" for code, area in rows)).encode()


def counts(job: dict) -> tuple:
    return job["status"], job["created"], job["unchanged"]


# --- the job ------------------------------------------------------------------------------------


def test_an_import_is_a_job_that_is_queued_then_done(world, api, upload):
    compound = world["areas"]["compound"].code
    officer = api(world["officer"])

    # When the officer sends a file (its task not run yet: no worker has picked it up)
    response = upload(officer, csv_of(("WH-0001", compound), ("WH-0002", compound)), run=False)

    # Then the answer is 202 with the job, queued, and nothing is imported yet
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["file_name"] == "households.csv"
    assert {"id", "rows_total", "rows_processed", "created", "unchanged", "errors"} <= set(body)
    assert not Household.objects.exists()

    # When the worker runs it
    household_import_task.delay(body["id"])

    # Then the job is done with its counts and progress, and the households exist
    job = officer.get(f"households/imports/{body['id']}/").json()
    assert counts(job) == ("done", 2, 0)
    assert (job["rows_total"], job["rows_processed"]) == (2, 2)
    assert job["errors"] == {}
    assert job["started_at"] and job["finished_at"]
    assert set(Household.objects.values_list("code", flat=True)) == {"WH-0001", "WH-0002"}
    assert HouseholdImport.objects.get().content == b""  # the file is not kept once imported


def test_import_creates_households_and_is_idempotent(world, api, upload):
    compound = world["areas"]["compound"].code
    content = csv_of(("WH-0001", compound), ("WH-0002", compound), ("WH-0003", compound))
    officer = api(world["officer"])

    assert counts(job_of(officer, upload(officer, content))) == ("done", 3, 0)
    assert set(Household.objects.values_list("code", flat=True)) == {"WH-0001", "WH-0002", "WH-0003"}
    assert all(h.area_id == world["areas"]["compound"].id for h in Household.objects.all())
    assert all(h.created_by == world["officer"] for h in Household.objects.all())

    assert counts(job_of(officer, upload(officer, content))) == ("done", 0, 3)
    assert Household.objects.count() == 3

    # A file mixing known and new rows creates only the new ones; codes compare in any case
    mixed = upload(officer, csv_of(("wh-0003", compound), ("WH-0004", compound)))
    assert counts(job_of(officer, mixed)) == ("done", 1, 1)
    assert Household.objects.count() == 4


def test_running_the_task_again_changes_nothing(world, api, upload):
    officer = api(world["officer"])
    response = upload(officer, csv_of(("WH-0001", world["areas"]["compound"].code)))
    job_id = response.json()["id"]

    household_import_task.delay(job_id)  # a redelivery after the job finished
    household_import_task.delay(99_999)  # a job that does not exist

    assert counts(job_of(officer, response)) == ("done", 1, 0)
    assert Household.objects.count() == 1


def test_a_job_interrupted_mid_run_starts_over_when_redelivered(world, api, upload):
    # Given a job whose worker died while it ran (nothing was written: one final transaction)
    officer = api(world["officer"])
    response = upload(officer, csv_of(("WH-0001", world["areas"]["compound"].code)), run=False)
    HouseholdImport.objects.filter(pk=response.json()["id"]).update(status="running", rows_processed=1)

    household_import_task.delay(response.json()["id"])

    assert counts(job_of(officer, response)) == ("done", 1, 0)


def test_import_accepts_a_byte_order_mark_and_spaces(world, api, upload):
    compound = world["areas"]["compound"].code
    content = f"\ufeffcode , area\r\n WH-0001 , {compound} \r\n".encode()
    officer = api(world["officer"])

    assert counts(job_of(officer, upload(officer, content))) == ("done", 1, 0)
    assert Household.objects.get().code == "WH-0001"


def test_import_is_all_or_nothing_with_every_rows_errors(world, api, upload):
    compound = world["areas"]["compound"].code
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH-0009")
    content = csv_of(
        ("WH-0001", compound),  # line 2: fine
        ("WH-0002", "NO-SUCH-AREA"),  # line 3: unknown area
        ("JJ-0001", world["areas"]["other_compound"].code),  # line 4: outside the jurisdiction
        ("WH-0001", compound),  # line 5: twice in the file
        ("bad code!", compound),  # line 6: invalid characters
        ("WH-0009", world["areas"]["district"].code),  # line 7: not a household level (and moved)
        ("", compound),  # line 8: no code
        ("X" * 41, compound),  # line 9: too long
    )
    officer = api(world["officer"])

    job = job_of(officer, upload(officer, content))

    assert job["status"] == "failed"
    rows = job["errors"]["rows"]
    assert set(rows) == {"3", "4", "5", "6", "7", "8", "9"}
    assert all(isinstance(messages, list) and messages for messages in rows.values())
    assert (job["created"], job["unchanged"]) == (0, 0)
    assert list(Household.objects.values_list("code", flat=True)) == ["WH-0009"]


def test_import_refuses_a_household_moved_to_another_area(world, api, upload):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH-0001")
    other_compound = f.AreaFactory(level="compound", parent=world["areas"]["community"])
    officer = api(world["officer"])

    job = job_of(officer, upload(officer, csv_of(("wh-0001", other_compound.code))))

    assert job["status"] == "failed"
    assert "2" in job["errors"]["rows"]
    assert Household.objects.get(code="WH-0001").area == world["areas"]["compound"]


@pytest.mark.parametrize(
    "content",
    [
        "code,area\n户号一,A1\n".encode("gbk"),  # not UTF-8
        b"WH-0001,A1\nWH-0002,A1\n",  # no header
        b"household,area\nWH-0001,A1\n",  # wrong header
        b"code,area\n",  # header only
        b'code,area\n"' + b"x" * 200_000 + b'",A1\n',  # a field longer than any CSV reader takes
    ],
)
def test_import_of_a_file_that_is_not_a_household_csv_fails_with_a_file_error(world, api, upload, content):
    officer = api(world["officer"])

    job = job_of(officer, upload(officer, content))

    assert job["status"] == "failed"
    assert "file" in job["errors"]
    assert not Household.objects.exists()


def test_import_of_too_many_rows_fails(world, api, upload):
    compound = world["areas"]["compound"].code
    officer = api(world["officer"])

    job = job_of(officer, upload(officer, csv_of(*((f"WH-{n:05d}", compound) for n in range(10_001)))))

    assert job["status"] == "failed"
    assert "file" in job["errors"]
    assert not Household.objects.exists()


def test_import_without_a_file_or_of_an_empty_one_is_refused(world, api, upload):
    without = api(world["officer"]).post("households/import/", {}, format="multipart")
    empty = upload(api(world["officer"]), b"")

    for response in (without, empty):
        assert response.status_code == 400
        assert "file" in response.json()["extra"]["fields"]
    assert not HouseholdImport.objects.exists()


def test_platform_admin_imports_anywhere(world, api, upload):
    content = csv_of(
        ("WH-0001", world["areas"]["compound"].code),
        ("JJ-0001", world["areas"]["other_compound"].code),
    )
    admin = api(world["platform_admin"])

    assert counts(job_of(admin, upload(admin, content))) == ("done", 2, 0)


# --- who first, then size --------------------------------------------------------------------------


class BodyStream:
    """A request body of ``size`` bytes that counts what the server reads of it."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        left = self.size - self.read_bytes
        count = left if size is None or size < 0 else min(size, left)
        self.read_bytes += count
        return b"x" * count

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


SIXTY_MB = 60 * 1024 * 1024
PROGRESS = re.compile(r'UPDATE "orgs_householdimport" SET "rows_processed" = (\d+), "rows_total" = (\d+)')


def post_declared(api_client, size: int) -> tuple:
    body = BodyStream(size)
    response = api_client.client.post(
        "/api/v1/households/import/",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size)},
    )
    return response, body


@pytest.mark.parametrize("who", ["stranger", "provider_admin", "finance", "resident"])
def test_a_large_upload_by_someone_without_the_role_is_refused_unread(world, api, who):
    user = {
        "provider_admin": world["provider_admins"][0],
        "resident": f.ResidentFactory().user,
    }.get(who) or world.get(who)

    response, body = post_declared(api(user), SIXTY_MB)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert body.read_bytes == 0
    assert not HouseholdImport.objects.exists()


def test_an_anonymous_upload_is_401_unread(world, api):
    response, body = post_declared(api(), SIXTY_MB)

    assert response.status_code == 401
    assert body.read_bytes == 0


def test_an_upload_declared_larger_than_5_mb_is_refused_before_it_is_read(world, api):
    response, body = post_declared(api(world["officer"]), SIXTY_MB)

    assert response.status_code == 400
    assert "file" in response.json()["extra"]["fields"]
    assert body.read_bytes == 0
    assert not HouseholdImport.objects.exists()


def test_a_file_over_5_mb_is_refused(world, api, upload):
    line = f"WH-00001,{world['areas']['compound'].code}\n".encode()
    content = b"code,area\n" + line * (5 * 1024 * 1024 // len(line) + 1)
    assert len(content) > 5 * 1024 * 1024

    response = upload(api(world["officer"]), content)

    assert response.status_code == 400
    assert "file" in response.json()["extra"]["fields"]
    assert not HouseholdImport.objects.exists()


# --- who follows a job --------------------------------------------------------------------------


def test_a_job_is_visible_to_its_bureau_and_the_platform_admin_only(world, api, upload):
    response = upload(api(world["officer"]), csv_of(("WH-0001", world["areas"]["compound"].code)))
    path = f"households/imports/{response.json()['id']}/"

    assert api(world["officer"]).get(path).status_code == 200
    assert api(world["bureau_admin"]).get(path).status_code == 200
    assert api(world["platform_admin"]).get(path).status_code == 200
    for user in (world["other_officer"], world["finance"], world["stranger"], world["provider_admins"][0]):
        refused = api(user).get(path)
        assert refused.status_code == 404, user
        assert refused.json()["code"] == "not_found"
    assert api().get(path).status_code == 401
    assert api(world["officer"]).get("households/imports/99999/").status_code == 404


# --- large files ---------------------------------------------------------------------------------


def test_ten_thousand_rows_import_quickly_in_a_few_queries(world, api, upload):
    compound = world["areas"]["compound"].code
    rows = [(f"WH-{n:05d}", compound) for n in range(10_000)]
    officer = api(world["officer"])
    response = upload(officer, csv_of(*rows), run=False)
    job_id = response.json()["id"]

    started = time.monotonic()
    with CaptureQueriesContext(connection) as context:
        household_import_task.delay(job_id)
    elapsed = time.monotonic() - started

    job = officer.get(f"households/imports/{job_id}/").json()
    assert counts(job) == ("done", 10_000, 0)
    assert (job["rows_total"], job["rows_processed"]) == (10_000, 10_000)
    assert Household.objects.count() == 10_000
    assert len(context.captured_queries) < 60  # progress reports and insert batches, not rows
    assert elapsed < 15, elapsed


def test_one_bad_row_among_ten_thousand_imports_nothing(world, api, upload):
    compound = world["areas"]["compound"].code
    rows = [(f"WH-{n:05d}", compound) for n in range(9_999)] + [("WH-00007", compound)]
    officer = api(world["officer"])

    job = job_of(officer, upload(officer, csv_of(*rows)))

    assert job["status"] == "failed"
    assert list(job["errors"]["rows"]) == ["10001"]
    assert not Household.objects.exists()


def test_progress_is_reported_while_the_rows_are_checked(world, api, upload):
    compound = world["areas"]["compound"].code
    officer = api(world["officer"])
    response = upload(officer, csv_of(*((f"WH-{n:05d}", compound) for n in range(1_200))), run=False)

    with CaptureQueriesContext(connection) as context:
        household_import_task.delay(response.json()["id"])

    # each report is its own short write, visible to the officer's page while the task runs
    reports = [
        tuple(map(int, match.groups()))
        for query in context.captured_queries
        if (match := PROGRESS.search(query["sql"]))
    ]
    assert reports == [(0, 1_200), (500, 1_200), (1_000, 1_200)]
    assert counts(job_of(officer, response)) == ("done", 1_200, 0)


def test_the_csv_reader_reads_what_the_page_sends(world, api, upload):
    # Windows line ends, a trailing empty line and quoted fields, as spreadsheets export them
    compound = world["areas"]["compound"].code
    content = io.StringIO()
    content.write(f'"code","area"\r\n"WH-0001","{compound}"\r\n\r\n')
    officer = api(world["officer"])

    assert counts(job_of(officer, upload(officer, content.getvalue().encode()))) == ("done", 1, 0)
