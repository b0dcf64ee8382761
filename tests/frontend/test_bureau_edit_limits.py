"""A draft with more quality criteria or KPIs than the task list's rows (made through the API) is
not offered for editing on the pages: saving it there would drop the rows the page cannot show."""

from decimal import Decimal

from marketplace.models import Kpi

from .. import flows


def test_a_draft_with_more_kpis_than_the_page_holds_is_not_editable_there(world, as_user):
    tender = flows.draft_tender(world)
    for index in range(5):
        Kpi.objects.create(tender=tender, name=f"KPI {index}", target=Decimal(10), unit="times")
    client = as_user(world["officer"])
    page = client.get(f"/bureau/tenders/{tender.pk}/").content.decode()
    assert f"/bureau/tenders/{tender.pk}/edit/" not in page
    assert client.get(f"/bureau/tenders/{tender.pk}/edit/").status_code == 404
    assert tender.kpis.count() == 6


def test_an_ordinary_draft_is_editable(world, as_user):
    tender = flows.draft_tender(world)
    client = as_user(world["officer"])
    assert (
        f"/bureau/tenders/{tender.pk}/edit/" in client.get(f"/bureau/tenders/{tender.pk}/").content.decode()
    )
    assert client.get(f"/bureau/tenders/{tender.pk}/edit/").status_code == 200
