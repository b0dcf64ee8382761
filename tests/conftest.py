import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from common.errors import CommonError
from common.notifications import LocmemSmsBackend
from common.schema import declared_error_codes
from config.celery import app as celery_app
from orgs.models import Membership, Organization

from . import factories as f
from .clock import start_travel


def pytest_configure(config):
    # SHEQU_FROZEN_CLOCK moves the whole run (see tests/clock.py); .ci/run sets it for one pass.
    moved_to = start_travel()
    if moved_to is not None and not hasattr(config, "workerinput"):
        print(f"clock moved to {moved_to.isoformat()} for this run")


# Tests run tasks in-process even where CELERY_BROKER_URL is set (CI points it at Redis); the tests
# that need a real worker start one themselves.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(scope="session", autouse=True)
def _cache_per_worker(tmp_path_factory):
    """Throttles and sign-in failures count in a file cache of this worker's own: shared by the
    threads of a live server like the database cache is by processes, and never cleared by the
    other xdist worker (``cache.clear()`` on Redis would flush the whole database, other workers'
    keys and the CI broker's queue included). tests/test_throttles.py checks the real settings."""
    location = tmp_path_factory.mktemp("cache")
    backend = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(location)}
    public = {**backend, "LOCATION": str(tmp_path_factory.mktemp("public-cache"))}
    with override_settings(CACHES={"default": backend, "public": public}):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(_cache_per_worker, settings):
    cache.clear()  # throttling counters do not leak between tests
    caches["public"].clear()
    # A test's transaction never commits, so the public cache's version would never move inside
    # it: the cache is off except in tests/test_public_cache.py, which commits for real.
    settings.PUBLIC_CACHE_ENABLED = False


@pytest.fixture(autouse=True)
def _log_sealed_in_the_tests_transaction(request, monkeypatch):
    """The tamper-evident log seals its pending entries after each commit (docs/rules.md §24); a
    test's transaction never commits, so there they are sealed as they are appended, in it (a
    rolled-back change still leaves nothing). Tests with real commits (``transaction=True``) and
    those marked ``log_pending`` see the real after-commit seal."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional or request.node.get_closest_marker("log_pending"):
        return
    from auditchain import chain

    monkeypatch.setattr(chain, "_seal_after_commit", chain.seal)


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Pages render in tests without `collectstatic` (production uses the manifest storage).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _documents_in_a_temporary_folder(tmp_path_factory):
    """Documents (docs/rules.md §17.2) are stored in a folder of this worker's own, never
    var/documents: from the session's start, so a module's fixtures (the demo) write there too."""
    location = tmp_path_factory.mktemp("documents")
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location)},
    }
    with override_settings(STORAGES={**settings.STORAGES, "documents": documents}):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher costs ~0.1 s per user, and every test creates a score of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _api_answers_only_declared_codes(monkeypatch):
    """Every error code an API operation answers with in the suite is one its schema lists: a generic
    code (common.errors.CommonError) or one the view declares with ``@error_codes``
    (common.schema; tests/api/test_schema_says_what_it_does.py checks the schema side)."""
    handle_exception = APIView.handle_exception

    def checked(view, exc):
        response = handle_exception(view, exc)
        code = response.data.get("code") if isinstance(response.data, dict) else None
        if code is not None and code not in {generic.value for generic in CommonError}:
            declared = declared_error_codes(view, view.request.method)
            name = f"{type(view).__name__}.{getattr(view, 'action', None) or view.request.method.lower()}"
            assert code in declared, f"{name} answered {code!r}: declare it with @error_codes"
        return response

    monkeypatch.setattr(APIView, "handle_exception", checked)


class Api:
    """An API client acting as one user (or anonymous), authenticated by token as a real client
    is, so each request loads the user afresh."""

    def __init__(self, user=None):
        self.user = user
        self.client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1/{path}", params)

    def post(self, path, data=None, **kwargs):
        return self.client.post(f"/api/v1/{path}", data or {}, format=kwargs.pop("format", "json"), **kwargs)

    def patch(self, path, data=None):
        return self.client.patch(f"/api/v1/{path}", data or {}, format="json")


@pytest.fixture
def api():
    return Api


@pytest.fixture
def sms(settings):
    """Text messages stay in memory: the list of those sent."""
    settings.NOTIFICATIONS_SMS_BACKEND = "common.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    return LocmemSmsBackend.outbox


@pytest.fixture
def world(db):
    """A district with a bureau (officer, finance, evaluators, admin), three verified providers,
    an assessor, a community committee, the district's review body (finance department) and another
    district's, a platform admin and an unrelated user."""
    areas = f.area_tree()
    bureau = f.OrganizationFactory(
        kind=Organization.Kind.BUREAU,
        legal_type=Organization.LegalType.GOVERNMENT_AGENCY,
        name="Wuhou Civil Affairs Bureau",
        jurisdiction=areas["district"],
    )
    other_bureau = f.OrganizationFactory(
        kind=Organization.Kind.BUREAU,
        legal_type=Organization.LegalType.GOVERNMENT_AGENCY,
        jurisdiction=areas["other_district"],
    )
    providers = [f.OrganizationFactory(kind=Organization.Kind.PROVIDER) for _ in range(3)]
    assessor = f.OrganizationFactory(kind=Organization.Kind.ASSESSOR, legal_type="enterprise")
    community = f.OrganizationFactory(
        kind=Organization.Kind.COMMUNITY, legal_type="grassroots_autonomous", jurisdiction=areas["community"]
    )
    # The finance department reviewing complaints about the district's bureaus (docs/rules.md §17.5).
    review_body = f.OrganizationFactory(
        kind=Organization.Kind.REVIEW_BODY,
        legal_type=Organization.LegalType.GOVERNMENT_AGENCY,
        name="Wuhou Finance Department",
        jurisdiction=areas["district"],
    )
    other_review_body = f.OrganizationFactory(
        kind=Organization.Kind.REVIEW_BODY,
        legal_type=Organization.LegalType.GOVERNMENT_AGENCY,
        jurisdiction=areas["other_district"],
    )
    Role = Membership.Role
    world = {
        "areas": areas,
        "bureau": bureau,
        "other_bureau": other_bureau,
        "providers": providers,
        "assessor": assessor,
        "community": community,
        "officer": f.member(bureau, Role.OFFICER),
        "finance": f.member(bureau, Role.FINANCE),
        "bureau_admin": f.member(bureau, Role.ADMIN),
        "evaluators": [f.member(bureau, Role.EVALUATOR) for _ in range(2)],
        "other_officer": f.member(other_bureau, Role.OFFICER),
        "provider_admins": [f.member(p, Role.ADMIN) for p in providers],
        "provider_staff": [f.member(p, Role.STAFF) for p in providers],
        "assessor_member": f.member(assessor, Role.MEMBER),
        "community_member": f.member(community, Role.MEMBER),
        "review_body": review_body,
        "reviewer": f.member(review_body, Role.MEMBER),
        "other_reviewer": f.member(other_review_body, Role.MEMBER),
        "platform_admin": f.UserFactory(is_superuser=True, is_staff=True),
        "stranger": f.UserFactory(),
        "catalogue_item": f.CatalogueItemFactory(),
        "budget_line": f.BudgetLineFactory(bureau=bureau, amount=100_000_000),
    }
    return world
