from common.templatetags.money import yuan

from . import flows


def test_yuan_formats_fen():
    assert yuan(30_000_000) == "300,000.00"
    assert yuan(5) == "0.05"
    assert yuan(-150) == "-1.50"
    assert yuan(None) == ""


def test_home_page_lists_open_tenders_only(world, client):
    published = flows.published_tender(world, title="Open tender for day care")
    flows.draft_tender(world, title="Secret draft")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert published.title in page and "Secret draft" not in page
    assert "¥300,000.00" in page
