"""The bureau's household import page (issue 8 item 6): send a CSV, then follow the job — the
status page polls itself with htmx every two seconds while the job runs and has a refresh link
for browsers without JavaScript; the outcome (counts, or every line's problems) when it ends."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.models import Household, HouseholdImport
from orgs.tasks import household_import_task

from .helpers import page

pytestmark = pytest.mark.django_db


def csv_of(*rows: tuple[str, str]) -> bytes:
    return ("code,area\n" + "".join(f"{code},{area}\n" for code, area in rows)).encode()


def send(client, content: bytes, capture, *, run: bool = True):
    file = SimpleUploadedFile("register.csv", content, content_type="text/csv")
    with capture(execute=run):
        return client.post("/bureau/households/import/", {"file": file})


def test_officer_imports_and_follows_the_job_to_its_end(world, as_user, django_capture_on_commit_callbacks):
    compound = world["areas"]["compound"].code
    client = as_user(world["officer"])
    assert "/bureau/households/import/" in page(client.get("/bureau/"))
    form = page(client.get("/bureau/households/import/"))
    assert 'enctype="multipart/form-data"' in form and "Upload a CSV file" in form

    # When the officer sends a file and no worker has run it yet
    response = send(
        client,
        csv_of(("WH-0001", compound), ("WH-0002", compound)),
        django_capture_on_commit_callbacks,
        run=False,
    )

    # Then they land on the job's page, which polls itself and offers a refresh link
    job = HouseholdImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bureau/households/imports/{job.pk}/"
    waiting = page(client.get(response["Location"]))
    assert "Queued" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert "Refresh this page" in waiting
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'id="import-progress"' in page(fragment) and "<html" not in page(fragment)

    # When the worker has run it, the page shows the outcome and stops polling
    household_import_task.delay(job.pk)
    done = page(client.get(response["Location"]))
    assert "Import complete" in done
    assert "2 households created, 0 already in the register" in done
    assert "every 2s" not in done
    assert Household.objects.count() == 2


def test_a_failed_import_lists_every_lines_problems(world, as_user, django_capture_on_commit_callbacks):
    compound = world["areas"]["compound"].code
    client = as_user(world["officer"])

    response = send(
        client, csv_of(("WH-0001", compound), ("WH-0002", "NOWHERE")), django_capture_on_commit_callbacks
    )

    html = page(client.get(response["Location"]))
    assert "No household was imported" in html
    assert "Unknown area code NOWHERE." in html
    assert not Household.objects.exists()


def test_the_form_shows_its_errors(world, as_user, django_capture_on_commit_callbacks):
    client = as_user(world["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/bureau/households/import/", {})

    html = page(response)
    assert response.status_code == 200
    assert "There is a problem" in html and "Select a CSV file" in html
    assert not HouseholdImport.objects.exists()


def test_who_may_open_the_import_pages(world, as_user, browse, django_capture_on_commit_callbacks):
    compound = world["areas"]["compound"].code
    response = send(
        as_user(world["officer"]), csv_of(("WH-0001", compound)), django_capture_on_commit_callbacks
    )
    status_page = response["Location"]

    assert browse(world["bureau_admin"]).get(status_page).status_code == 200
    assert browse(world["other_officer"]).get(status_page).status_code == 404
    assert browse(world["finance"]).get(status_page).status_code == 404
    assert browse(world["finance"]).get("/bureau/households/import/").status_code == 403
    assert "/bureau/households/import/" not in page(browse(world["finance"]).get("/bureau/"))
    assert browse(world["provider_admins"][0]).get(status_page).status_code == 403
    anonymous = browse(None).get(status_page)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
