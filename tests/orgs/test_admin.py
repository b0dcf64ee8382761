from django_fsm_log.models import StateLog

from orgs.models import Organization

from ..factories import UserFactory, credit_code


def test_platform_admin_creates_a_verified_bureau_in_the_django_admin(db, client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    code = credit_code()
    response = client.post(
        "/admin/orgs/organization/add/",
        {
            "kind": "bureau",
            "legal_type": "government_agency",
            "name": "Jinjiang Civil Affairs Bureau",
            "credit_code": code,
            "email": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bureau = Organization.objects.get(credit_code=code)
    assert bureau.status == Organization.Status.VERIFIED
    log = StateLog.objects.for_(bureau).get()
    assert (log.source_state, log.state, log.by) == ("pending", "verified", admin)


def test_admin_pages_render(db, client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for path in ["orgs/organization/", "orgs/area/", "marketplace/tender/", "contracts/contract/"]:
        assert client.get(f"/admin/{path}").status_code == 200
