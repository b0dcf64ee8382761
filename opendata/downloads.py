"""CSV and XLSX downloads of the public data (docs/rules.md §21): tenders, awards, contracts,
payments and evaluations, one row each, headers in the reader's language, amounts in yuan.

The rows are what the public pages and ``ocds/…`` already show: published tenders, award notices,
non-draft contracts, succeeded payments, published evaluations. No person appears.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from common.money import fen_to_yuan
from contracts.models import Contract
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_list_public, public_appeal_outcomes
from marketplace.models import Award
from payments.models import Payment

from . import ocds

Cell = str | int | Decimal | datetime.date | None


@dataclass(frozen=True)
class Column:
    header: Promise
    value: Callable[[Any], Cell]
    money: bool = False


def _when(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _yuan(amount: int | None) -> Decimal | None:
    return None if amount is None else fen_to_yuan(amount)


def _public_contracts() -> Any:
    return Contract.objects.visible_to(AnonymousUser())


def _evaluations() -> list[Evaluation]:
    """The public evaluations, each with its ``outcome`` (``ocds.outcome``): S, the band and the
    release as decided when an appeal of it is decided, as published otherwise."""
    evaluations = list(evaluation_list_public(contracts=_public_contracts()).select_related("contract"))
    appeals = public_appeal_outcomes(evaluations)
    for evaluation in evaluations:
        evaluation.outcome = ocds.outcome(evaluation, appeals.get(evaluation.pk))
    return evaluations


def _appeal(evaluation: Any) -> str | None:
    appeal = evaluation.outcome.appeal
    return None if appeal is None else str(appeal.get_status_display())


TABLES: dict[str, tuple[Promise, Callable[[], Iterable[Any]], list[Column]]] = {
    "tenders": (
        _("Tenders"),
        lambda: ocds.public_tenders().select_related("bureau", "catalogue_item").order_by("id"),
        [
            Column(_("Tender ID"), lambda t: t.pk),
            Column(_("OCID"), lambda t: ocds.ocid_of(t.pk)),
            Column(_("Title"), lambda t: t.title),
            Column(_("Catalogue code"), lambda t: t.catalogue_item.code),
            Column(_("Service"), lambda t: t.catalogue_item.name),
            Column(_("Buyer"), lambda t: t.bureau.name),
            Column(_("Buyer's credit code"), lambda t: t.bureau.credit_code),
            Column(_("Status"), lambda t: str(t.get_status_display())),
            Column(_("Ceiling (yuan)"), lambda t: _yuan(t.ceiling_amount), money=True),
            Column(_("Currency"), lambda t: t.currency),
            Column(_("Published"), lambda t: _when(t.published_at)),
            Column(_("Bid deadline"), lambda t: _when(t.bid_deadline)),
            Column(_("Service start"), lambda t: t.service_start),
            Column(_("Service end"), lambda t: t.service_end),
        ],
    ),
    "awards": (
        _("Awards"),
        lambda: Award.objects.visible_to(AnonymousUser()).select_related("tender", "provider").order_by("id"),
        [
            Column(_("Award ID"), lambda a: a.pk),
            Column(_("Tender ID"), lambda a: a.tender_id),
            Column(_("OCID"), lambda a: ocds.ocid_of(a.tender_id)),
            Column(_("Tender"), lambda a: a.tender.title),
            Column(_("Provider"), lambda a: a.provider.name),
            Column(_("Provider's credit code"), lambda a: a.provider.credit_code),
            Column(_("Price (yuan)"), lambda a: _yuan(a.price_amount), money=True),
            Column(_("Total score"), lambda a: a.total),
            Column(_("Rank"), lambda a: a.rank),
            Column(_("Status"), lambda a: str(a.get_status_display())),
            Column(_("Notice published"), lambda a: _when(a.notice_published_at)),
        ],
    ),
    "contracts": (
        _("Contracts"),
        lambda: _public_contracts().select_related("bureau", "provider").order_by("id"),
        [
            Column(_("Contract ID"), lambda c: c.pk),
            Column(_("Tender ID"), lambda c: c.tender_id),
            Column(_("OCID"), lambda c: ocds.ocid_of(c.tender_id)),
            Column(_("Title"), lambda c: c.title),
            Column(_("Buyer"), lambda c: c.bureau.name),
            Column(_("Provider"), lambda c: c.provider.name),
            Column(_("Provider's credit code"), lambda c: c.provider.credit_code),
            Column(_("Value (yuan)"), lambda c: _yuan(c.value_amount), money=True),
            Column(_("Currency"), lambda c: c.currency),
            Column(_("Status"), lambda c: str(c.get_status_display())),
            Column(_("Signed"), lambda c: _when(c.activated_at)),
            Column(_("Service start"), lambda c: c.service_start),
            Column(_("Service end"), lambda c: c.service_end),
        ],
    ),
    "payments": (
        _("Payments"),
        lambda: (
            Payment.objects.filter(
                instalment__contract__in=_public_contracts(), status=Payment.Status.SUCCEEDED
            )
            .select_related("instalment__contract__bureau", "instalment__contract__provider")
            .order_by("succeeded_at", "id")
        ),
        [
            Column(_("Payment ID"), lambda p: p.pk),
            Column(_("Contract ID"), lambda p: p.instalment.contract_id),
            Column(_("OCID"), lambda p: ocds.ocid_of(p.instalment.contract.tender_id)),
            Column(_("Instalment"), lambda p: str(p.instalment.get_kind_display())),
            Column(_("Amount (yuan)"), lambda p: _yuan(p.amount), money=True),
            Column(_("Currency"), lambda p: p.currency),
            Column(_("Paid"), lambda p: _when(p.succeeded_at)),
            Column(_("Payer"), lambda p: p.instalment.contract.bureau.name),
            Column(_("Payee"), lambda p: p.instalment.contract.provider.name),
        ],
    ),
    "evaluations": (
        _("Evaluations"),
        _evaluations,
        [
            Column(_("Evaluation ID"), lambda e: e.pk),
            Column(_("Contract ID"), lambda e: e.contract_id),
            Column(_("OCID"), lambda e: ocds.ocid_of(e.contract.tender_id)),
            Column(_("Stage"), lambda e: str(e.get_stage_display())),
            Column(_("Round"), lambda e: e.round),
            Column(_("Status"), lambda e: str(e.get_status_display())),
            Column(_("Third-party score (T)"), lambda e: e.third_party),
            Column(_("Buyer's score (B)"), lambda e: e.buyer),
            Column(_("Residents' score (R)"), lambda e: e.residents),
            Column(_("Ratings counted"), lambda e: e.residents_n),
            Column(_("Satisfied"), lambda e: e.residents_n_pos),
            Column(_("Community score (C)"), lambda e: e.community),
            Column(_("Composite score (S)"), lambda e: e.outcome.composite),
            Column(_("Band"), lambda e: e.outcome.band),
            Column(_("Release (%)"), lambda e: e.outcome.release_pct),
            Column(_("Published"), lambda e: _when(e.published_at)),
            Column(_("Appeal"), _appeal),
            Column(_("Composite score as first published"), lambda e: e.composite),
        ],
    ),
}
FORMATS = ("csv", "xlsx")


# What a spreadsheet reads as the start of a formula (and tab and carriage return, which some strip
# before looking): a text cell starting with one is written with a leading apostrophe (OWASP's
# advice on CSV injection), so it shows as the text it is. Numbers and dates are left as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: Cell) -> Cell:
    """A cell as both writers write it: text that a spreadsheet would run as a formula is made
    plain text; everything else is unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def rows(table: str) -> tuple[list[str], list[list[Cell]]]:
    _title, source, columns = TABLES[table]
    headers = [str(column.header) for column in columns]
    return headers, [[_safe(column.value(item)) for column in columns] for item in source()]


def as_csv(table: str) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese text as such."""
    headers, body = rows(table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in body:
        writer.writerow(["" if cell is None else cell for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(cell: Cell) -> Cell | float:
    """Amounts and scores as numbers; text without the control characters XLSX cannot hold (which
    openpyxl refuses with an error)."""
    if isinstance(cell, Decimal):
        return float(cell)
    if isinstance(cell, str):
        return str(ILLEGAL_CHARACTERS_RE.sub("", cell))
    return cell


def as_xlsx(table: str) -> bytes:
    """One sheet; amounts are numbers with two decimals, dates are dates."""
    title, _source, columns = TABLES[table]
    headers, body = rows(table)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(title)[:31]
    sheet.append(headers)
    for row in body:
        sheet.append([_xlsx_value(cell) for cell in row])
    for index, column in enumerate(columns, start=1):
        if column.money:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
