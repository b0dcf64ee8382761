"""A transition's reason reads in the reader's language (issue 9, Words): the system's reasons are
stored as stable English msgids (``common.reasons``) and translated when shown — on the pages and in
the API's history, with their code —; reasons with values (the evaluation's S) too; reasons typed by
people stay as typed; logs written before, in English or in Chinese, are translated as well."""

import pytest
from django.test import Client
from django.utils import translation
from django_fsm_log.models import StateLog

from common import reasons
from common.history import reason_display

from . import flows

pytestmark = pytest.mark.django_db

RATING_BURST_ZH = "10分钟内同一地址对该合同提交的评价超过5条。"
RATING_BURST_EN = "More than 5 ratings of this contract from one address within 10 minutes."


def test_a_system_reason_is_stored_in_english_and_shown_in_the_readers_language():
    stored = reasons.CONTRACT_SIGNED
    assert stored == "signed by both parties"
    with translation.override("zh-hans"):
        shown = reason_display(stored)
        assert shown.code == "contract_signed"
        assert shown.text == "双方已签署"
    with translation.override("en"):
        assert reason_display(stored).text == "signed by both parties"


def test_a_reason_with_values_is_translated_with_its_values():
    stored = reasons.EVALUATION["midterm"] % {"score": "72.50"}
    assert stored == "midterm evaluation S=72.50"
    with translation.override("zh-hans"):
        assert reason_display(stored).text == "中期评估 S=72.50"
        assert reason_display(stored).code == "midterm_evaluation"
        assert reason_display("payment 12").text == "付款 12"
        # an exact reason is never read as a template with a value
        assert reason_display("payment order issued").code == "payment_order_issued"
    with translation.override("en"):
        assert reason_display(stored).text == "midterm evaluation S=72.50"


def test_a_reason_stored_translated_before_reasons_had_codes_is_shown_in_the_readers_language():
    with translation.override("en"):
        assert reason_display(RATING_BURST_ZH).text == RATING_BURST_EN
        assert reason_display(RATING_BURST_ZH).code == "rating_burst"
    with translation.override("zh-hans"):
        assert reason_display(RATING_BURST_EN).text == RATING_BURST_ZH


def test_a_reason_a_person_typed_is_shown_as_typed():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            shown = reason_display("供应商未按时提交报告 / report late")
            assert shown.code is None and shown.text == "供应商未按时提交报告 / report late"
            assert reason_display("").text == ""


def test_the_contract_history_reads_in_chinese_on_the_page_and_in_the_api(world, api):
    contract = flows.active_contract(world)
    activation = StateLog.objects.for_(contract).get(transition="activate")
    assert activation.description == "signed by both parties"  # stored as the msgid
    client = Client()
    client.force_login(world["officer"])
    html = client.get(f"/bureau/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "双方已签署" in html
    assert "signed by both parties" not in html

    officer = api(world["officer"])
    history = officer.client.get(
        f"/api/v1/contracts/{contract.pk}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    entry = next(item for item in history if item["transition"] == "activate")
    assert entry["reason_code"] == "contract_signed"
    assert entry["reason"] == "双方已签署"
    history = officer.client.get(
        f"/api/v1/contracts/{contract.pk}/history/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    entry = next(item for item in history if item["transition"] == "activate")
    assert entry["reason"] == "signed by both parties" and entry["reason_code"] == "contract_signed"


def test_a_suspension_reason_typed_by_the_officer_stays_as_typed(world, api):
    from contracts import services

    contract = flows.active_contract(world)
    services.contract_suspend(actor=world["officer"], contract=contract, reason="暂停服务：场地维修")
    history = (
        api(world["officer"])
        .client.get(f"/api/v1/contracts/{contract.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    entry = next(item for item in history if item["transition"] == "suspend")
    assert entry["reason"] == "暂停服务：场地维修" and entry["reason_code"] is None
