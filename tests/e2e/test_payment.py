"""A payment confirmation: bureau finance pays an instalment that is due (through the treasury),
then confirms the treasury's payment with the bank voucher number. Driven in English (the
language cookie), checked with axe-core on every page."""

import re

import pytest

from contracts.models import Instalment, LedgerEntry
from contracts.settlement import ledger_invariant_holds
from payments.models import Gateway, Payment
from tests import flows

from .helpers import assert_accessible, screenshot, sign_in

VOUCHER = "GK2026-000381"


def english(page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def check_page(page, label: str, shot: str | None = None) -> None:
    assert page.locator("html").get_attribute("lang") == "en", label
    assert page.locator("h1").count() == 1, f"{label}: {page.locator('h1').all_inner_texts()}"
    assert_accessible(page, label=label)
    if shot:
        screenshot(page, shot)


def press(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


@pytest.fixture
def treasury(settings):
    """Payments go through the treasury (a payment order confirmed with a voucher), whatever the
    environment configures."""
    settings.PAYMENTS_GATEWAY = Gateway.TREASURY


def test_finance_pays_an_instalment_and_confirms_it_with_a_voucher(page, live_server, world, treasury):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    assert advance.status == Instalment.Status.PAYABLE
    due = advance.amount - advance.withheld_amount
    provider = contract.provider.name

    english(page, live_server)
    sign_in(page, live_server, world["finance"].username)
    page.goto("/bureau/payments/")

    # The instalment is due, with a "Pay" link naming it for screen readers.
    check_page(page, "payments: an instalment due", "finance-payments-due")
    row = page.locator(f"table[aria-labelledby=due] tr[data-instalment='{advance.pk}']")
    assert row.count() == 1
    assert yuan(due) in row.inner_text() and provider in row.inner_text()
    assert "No payment is in progress." in page.locator("main").inner_text()
    with page.expect_navigation():
        row.get_by_role(
            "link", name=re.compile(rf"^Pay Advance instalment of {re.escape(contract.title)}")
        ).click()

    # The confirmation page names the amount and the payee before anything is paid.
    assert page.url == f"{live_server.url}/bureau/instalments/{advance.pk}/pay/"
    check_page(page, "pay the instalment", "finance-pay-instalment")
    assert page.locator("h1").inner_text().strip() == "Pay the instalment"
    main = page.locator("main").inner_text()
    assert yuan(due) in main and provider in main
    assert not Payment.objects.exists()
    press(page, "Issue payment")

    # A payment order is issued: in progress, to be confirmed with the voucher.
    assert page.url == f"{live_server.url}/bureau/payments/"
    payment = Payment.objects.get(instalment=advance)
    assert payment.status == Payment.Status.PROCESSING and payment.gateway == Gateway.TREASURY
    banner = page.locator(".govuk-notification-banner--success")
    assert "Payment order issued" in banner.inner_text()
    check_page(page, "payments: a payment in progress", "finance-payment-in-progress")
    row = page.locator(f"table[aria-labelledby=in-progress] tr[data-instalment='{advance.pk}']")
    assert row.count() == 1
    assert page.locator(f"table[aria-labelledby=due] tr[data-instalment='{advance.pk}']").count() == 0
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile(r"^Confirm payment")).click()

    # Confirming without a voucher number is refused, and nothing changes.
    assert page.url == f"{live_server.url}/bureau/payments/{payment.pk}/confirm/"
    check_page(page, "confirm the payment")
    assert page.locator("h1").inner_text().strip() == "Confirm the payment"
    press(page, "Confirm payment")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "Enter the bank voucher number" in summary.inner_text()
    voucher = page.get_by_label("Bank voucher number")
    assert summary.locator("a").first.get_attribute("href") == f"#{voucher.get_attribute('id')}"
    check_page(page, "confirm the payment with an error")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert not LedgerEntry.objects.filter(instalment=advance).exists()

    voucher.fill(VOUCHER)
    screenshot(page, "finance-confirm-payment")
    press(page, "Confirm payment")

    # Paid: the success banner names the voucher; the instalment is in the paid table.
    assert page.url == f"{live_server.url}/bureau/payments/"
    banner = page.locator(".govuk-notification-banner--success")
    assert f"Payment confirmed with voucher {VOUCHER}" in banner.inner_text()
    assert yuan(payment.amount) in banner.inner_text()
    check_page(page, "payments: paid", "finance-payment-paid")
    paid_row = page.locator(f"table[aria-labelledby=paid] tr[data-instalment='{advance.pk}']")
    assert VOUCHER in paid_row.inner_text()
    assert page.locator(f"table[aria-labelledby=in-progress] tr[data-instalment='{advance.pk}']").count() == 0

    advance.refresh_from_db()
    payment.refresh_from_db()
    assert advance.status == Instalment.Status.PAID
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.reference == VOUCHER and payment.confirmed_by_id == world["finance"].pk
    assert Payment.objects.filter(instalment=advance).count() == 1
    entries = LedgerEntry.objects.filter(instalment=advance)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.kind == LedgerEntry.Kind.PAID and entry.amount == payment.amount
    assert ledger_invariant_holds(contract)
