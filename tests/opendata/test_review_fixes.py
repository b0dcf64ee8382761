"""Review of issue 14: safe spreadsheet cells, the decided score after an appeal, satisfaction as
of each release's date, the documents of only the tenders loaded, the public-tender rule."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.appeals import appeal_decide, appeal_file
from evaluations.services import evaluation_open_for
from marketplace.services import tenders as tender_services
from opendata import downloads, ocds
from tests import flows

from .validation import assert_valid

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def test_safe_neutralises_formula_text_and_leaves_numbers():
    for text in FORMULAS:
        assert downloads._safe(text) == "'" + text
    assert downloads._safe("社区食堂") == "社区食堂"
    assert downloads._safe(Decimal("-12.50")) == Decimal("-12.50")
    assert downloads._safe(-3) == -3
    assert downloads._safe(None) is None


@pytest.mark.parametrize("title", FORMULAS)
def test_no_download_cell_is_a_formula(world, client, settings, title):
    settings.LANGUAGE_CODE = "en"
    tender = flows.published_tender(world, title=title)
    text = client.get("/open-data/tenders.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    headers = rows[0]
    row = next(r for r in rows[1:] if r[0] == str(tender.pk))
    assert row[2] == "'" + title
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/open-data/tenders.xlsx").content)).active
    cells = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == tender.pk)
    assert cells[2].value == "'" + title and cells[2].data_type == "s"
    ceiling = cells[headers.index("Ceiling (yuan)")]
    assert ceiling.data_type == "n" and ceiling.value == tender.ceiling_amount / 100


def test_a_control_character_in_a_title_does_not_break_the_xlsx(world, client):
    tender = flows.published_tender(world, title="Meals\x0bfor\x01elders")
    response = client.get("/open-data/tenders.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == tender.pk]
    assert titles == ["Mealsforelders"]
    assert "Meals\x0bfor\x01elders" in client.get("/open-data/tenders.csv").content.decode("utf-8-sig")


def _appealed(world):
    """A published midterm evaluation at S = 74.50 (band C), appealed by the provider on T and
    upheld by the officer: S'' = 80.50 (band B, 100 % released)."""
    objects = flows.delivering_contract(world)
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, t="78.48", b="78.48", c="78.48")
    assert evaluation.composite == Decimal("74.50") and evaluation.band == "C"
    contract = objects["contract"]
    provider_admin = next(
        admin
        for admin, org in zip(world["provider_admins"], world["providers"], strict=True)
        if org.id == contract.provider_id
    )
    appeal = appeal_file(
        actor=provider_admin,
        evaluation=evaluation,
        grounds="The assessor came on a holiday.",
        claimed={"third_party": Decimal("93.48")},
    )
    appeal = appeal_decide(
        actor=world["officer"], appeal=appeal, decision="upheld", scores=None, reasoning="Agreed."
    )
    assert appeal.final_composite == Decimal("80.50")
    return objects, evaluation, appeal


def test_the_decided_score_is_published_from_the_decision_on(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    objects, evaluation, appeal = _appealed(world)
    package = client.get(reverse("ocds-releases")).json()
    assert_valid(package)
    releases = {r["id"]: r for r in package["releases"]}
    tender_id = objects["tender"].pk

    def shown(release_id):
        implementation = releases[f"{tender_id}-{release_id}"]["contracts"][0]["implementation"]
        return implementation["performanceEvaluations"][0]

    published = shown(f"evaluation-{evaluation.pk}-published")
    assert (published["composite"], published["band"]) == (74.5, "C")
    assert "appeal" not in published
    decided = shown(f"evaluation-{evaluation.pk}-appeal-{appeal.pk}")
    assert (decided["composite"], decided["band"], decided["releasePercentage"]) == (80.5, "B", 100)
    assert decided["appeal"]["status"] == "upheld"
    assert decided["appeal"]["publishedComposite"] == 74.5
    assert decided["appeal"]["date"] == ocds.moment(appeal.decided_at)
    assert decided["thirdParty"] == 78.48  # the components as published

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/open-data/evaluations.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == evaluation.pk), strict=True))
    assert row["Composite score (S)"] == 80.5
    assert row["Band"] == "B"
    assert row["Release (%)"] == 100
    assert row["Appeal"] == "Upheld"
    assert row["Composite score as first published"] == 74.5


def test_an_old_release_keeps_the_satisfaction_of_its_day(world, client):
    objects = flows.delivering_contract(world, households=5)
    midterm = flows.final_evaluation(world, objects)  # five residents rate 5: n = 5
    contract = objects["contract"]
    assert evaluation_open_for(contract).stage == "final"
    for resident in objects["residents"][:3]:  # three more, for the final evaluation, unpublished
        flows.rate(resident, contract, 1)
    releases = [
        r
        for r in client.get(reverse("ocds-releases")).json()["releases"]
        if r["ocid"] == ocds.ocid_of(contract.tender_id)
    ]
    shown = [
        r["contracts"][0]["implementation"]["satisfaction"]
        for r in releases
        if "implementation" in r.get("contracts", [{}])[0]
        and "satisfaction" in r["contracts"][0]["implementation"]
    ]
    assert shown
    assert all(s == {"hidden": False, "n": 5, "nPositive": 5, "positivePercentage": 100} for s in shown)
    assert midterm.residents_n == 5


def test_satisfaction_is_hidden_below_five_counted_ratings(world, client):
    objects = flows.delivering_contract(world, households=3)
    flows.published_evaluation(world, objects)
    releases = client.get(reverse("ocds-releases")).json()["releases"]
    last = [r for r in releases if r["ocid"] == ocds.ocid_of(objects["tender"].pk)][-1]
    assert last["contracts"][0]["implementation"]["satisfaction"] == {"hidden": True}


def _tender_with_document(world, title):
    from documents.services import document_attach

    from ..documents.files import PDF, upload

    tender = flows.draft_tender(world, title=title)
    document = document_attach(
        actor=world["officer"],
        owner=tender,
        file=upload(PDF),
        filename="terms.pdf",
        title=f"Terms of {title}",
        kind="tender_documents",
    )
    return tender_services.tender_publish(actor=world["officer"], tender=tender), document


def test_load_reads_the_documents_of_the_tenders_loaded_only(world):
    one, one_document = _tender_with_document(world, "One")
    two, two_document = _tender_with_document(world, "Two")
    ocds.load(ocds.public_tenders())  # content types cached
    with CaptureQueriesContext(connection) as queries:
        (procedure,) = ocds.load(ocds.public_tenders().filter(pk=one.pk))
    assert [d.pk for d in procedure.documents] == [one_document.pk]
    document_queries = [q["sql"] for q in queries if '"documents_document"' in q["sql"]]
    assert len(document_queries) == 1
    with CaptureQueriesContext(connection) as both:
        procedures = ocds.load(ocds.public_tenders())
    assert len(both) == len(queries)  # a fixed number of queries, whatever the tenders
    documents = {p.tender.pk: [d.pk for d in p.documents] for p in procedures}
    assert documents == {one.pk: [one_document.pk], two.pk: [two_document.pk]}
    release = ocds.releases_of([procedure])[0]
    assert release["tender"]["documents"][0]["documentType"] == "biddingDocuments"


def test_a_draft_cancelled_before_publication_is_not_open_data(world, client):
    draft = flows.draft_tender(world)
    tender_services.tender_cancel(actor=world["officer"], tender=draft, reason="Not needed")
    assert not ocds.public_tenders().filter(pk=draft.pk).exists()
    assert client.get(reverse("ocds-record", args=[ocds.ocid_of(draft.pk)])).status_code == 404


def test_money_is_yuan_as_fen_to_yuan_says():
    assert ocds.money(12_345_678) == {"amount": 123456.78, "currency": "CNY"}
    assert ocds.money(30_000_000)["amount"] == 300000
    assert isinstance(ocds.money(30_000_000)["amount"], int)
    assert ocds.money(5)["amount"] == 0.05
