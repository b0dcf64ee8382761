"""The admin speaks the reader's language (issue 9, Words): every model and column has a translated
name — no "合同s" —, amounts are in yuan, not fen, and a transition's reason is translated."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import translation

from common.money import yuan
from contracts.models import Contract

from .test_admin import _everything_that_moves_through_services, admin_client

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_THEN_PLURAL_S = re.compile(r"[\u4e00-\u9fff]s\b")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")  # allows codes such as KPI and the T/B/R/C scores
TAGS = re.compile(r"<[^>]+>")
OUR_APPS = ("orgs", "documents", "marketplace", "contracts", "challenges", "payments", "evaluations")


def _our_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


def _texts(html: str, pattern: str) -> list[str]:
    return [TAGS.sub("", match).strip() for match in re.findall(pattern, html, re.DOTALL)]


def _headers(html: str) -> list[str]:
    """The column headers of the change list."""
    table = html.partition('id="result_list"')[2].partition("</thead>")[0]
    return [text for text in _texts(table, r'<th scope="col"[^>]*>(.*?)</th>') if text]


def _labels(html: str) -> list[str]:
    return [text for text in _texts(html, r"<label[^>]*>(.*?)</label>") if text]


def _get(client: Client, url: str, language: str):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def client_and_objects(world):
    objects = _everything_that_moves_through_services(world)
    return admin_client(world), objects


def test_every_admin_page_names_its_models_and_columns_in_chinese(client_and_objects):
    client, _objects = client_and_objects
    index = _get(client, "/admin/", "zh-hans")
    assert not CJK_THEN_PLURAL_S.search(index), CJK_THEN_PLURAL_S.findall(index)
    for model, _model_admin in _our_admins():
        meta = model._meta
        with translation.override("zh-hans"):
            assert str(meta.verbose_name_plural) == str(meta.verbose_name)  # Chinese has no plural
            assert CJK.search(str(meta.verbose_name)), meta.label
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        html = _get(client, url, "zh-hans")
        assert not CJK_THEN_PLURAL_S.search(html), (url, CJK_THEN_PLURAL_S.findall(html))
        for header in _headers(html):
            assert not ENGLISH_WORD.search(header), (url, header)
        row = model.objects.order_by("pk").first()
        if row is None:
            continue
        change = _get(client, f"{url}{row.pk}/change/", "zh-hans")
        assert not CJK_THEN_PLURAL_S.search(change), url
        for label in _labels(change):
            assert not ENGLISH_WORD.search(label), (url, label)


def test_every_admin_page_is_in_english_when_asked(client_and_objects):
    client, _objects = client_and_objects
    for model, _model_admin in _our_admins():
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        html = _get(client, url, "en")
        for header in _headers(html):
            assert not CJK.search(header), (url, header)
        with translation.override("en"):
            assert str(meta.verbose_name_plural).capitalize() in html  # the page's title


def test_amounts_show_in_yuan_in_lists_and_on_change_pages(client_and_objects):
    client, objects = client_and_objects
    contract = objects[Contract]
    advance = objects[next(model for model in objects if model._meta.model_name == "instalment")]
    shown = f"¥{yuan(contract.value_amount)}"
    for url in ("/admin/contracts/contract/", f"/admin/contracts/contract/{contract.pk}/change/"):
        for language in ("zh-hans", "en"):
            html = _get(client, url, language)
            assert shown in html, url
            assert f">{contract.value_amount}<" not in html.replace(" ", ""), url
    # the inline of instalments, the instalments' list and the ledger
    assert f"¥{yuan(advance.amount)}" in _get(
        client, f"/admin/contracts/contract/{contract.pk}/change/", "zh-hans"
    )
    for url in ("/admin/contracts/instalment/", "/admin/payments/payment/", "/admin/contracts/ledgerentry/"):
        html = _get(client, url, "zh-hans")
        assert f"¥{yuan(advance.amount)}" in html, url
        assert f">{advance.amount}<" not in html, url


def test_a_budget_line_is_typed_in_yuan_and_stored_in_fen(world):
    budget_line = world["budget_line"]
    client = admin_client(world)
    url = f"/admin/marketplace/budgetline/{budget_line.pk}/change/"
    html = _get(client, url, "zh-hans")
    assert f'value="{budget_line.amount // 100}.00"' in html
    assert f"¥{yuan(budget_line.amount)}" in _get(client, "/admin/marketplace/budgetline/", "zh-hans")
    response = client.post(
        url,
        {
            "name": budget_line.name,
            "bureau": budget_line.bureau_id,
            "fiscal_year": budget_line.fiscal_year,
            "source": budget_line.source,
            "currency": budget_line.currency,
            "amount": "1234567.89",
        },
    )
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    budget_line.refresh_from_db()
    assert budget_line.amount == 123_456_789
