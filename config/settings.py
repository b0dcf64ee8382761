"""Shequ settings: one module, driven by environment variables with safe defaults."""

from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.env import env_bool, env_decimal, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SHEQU_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Production sets DJANGO_SECRET_KEY. The fallback is for development and tests only; its prefix
# makes `manage.py check --deploy` refuse it.
SECRET_KEY = (
    env_str("DJANGO_SECRET_KEY", "") or "django-insecure-shequ-development-only-set-DJANGO_SECRET_KEY"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules",
    "django_fsm_log",
    "csp",
    "common",
    "auditchain",
    "orgs",
    "documents",
    "needs",
    "marketplace",
    "contracts",
    "challenges",
    "payments",
    "evaluations",
    "communitytasks",
    "opendata",
    "frontend",
    "demo",
]

MIDDLEWARE = [
    # Compresses HTML and JSON (not what WhiteNoise serves, already compressed). BREACH, for pages
    # that carry a CSRF token and reflect the query: the token is masked afresh on every response,
    # so its compressed length leaks nothing an attacker can build on; GZipMiddleware also pads each
    # answer with random bytes (Django ≥ 4.2), which makes guessing other page content by length
    # slower, not impossible. Session cookies are headers, never compressed (docs/rules.md §15).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "common.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.headers.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "orgs.User"
# StateLog rows as django-fsm-log writes them, or collected for a batch's bulk insert.
DJANGO_FSM_LOG_STORAGE_METHOD = "common.transition_log.Backend"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/start/"
LOGOUT_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.layout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite's file lives in VAR_DIR, which `make run` and scripts/run create (reading the settings makes
# no folder).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a Celery worker write at once: WAL plus IMMEDIATE transactions avoid
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Documents (docs/rules.md §17.2) are kept in the storage named "documents": a folder
# (DOCUMENTS_ROOT, by default var/documents, made when the first file is saved) unless
# DOCUMENTS_STORAGE=s3 selects any S3-compatible store (django-storages; README, production).
DOCUMENTS_STORAGE = env_str("DOCUMENTS_STORAGE", "filesystem")
if DOCUMENTS_STORAGE == "s3":
    _documents_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DOCUMENTS_S3_BUCKET", ""),
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION", "") or None,
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif DOCUMENTS_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("DOCUMENTS_ROOT", str(VAR_DIR / "documents"))},
    }
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE must be filesystem or s3")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production values when DEBUG is off) -----------------------------------------
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The client's address (throttles, sign-in lockout, rating bursts; common/client_address.py):
# REMOTE_ADDR unless our own proxies are named. TRUSTED_PROXIES (comma-separated addresses or CIDR
# ranges) wins over TRUSTED_PROXY_COUNT (how many proxies append to X-Forwarded-For).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Failed sign-ins (page and `POST auth/token/`, orgs/lockout.py): this many failures for one
# username within SIGNIN_LOCKOUT_SECONDS lock that account for SIGNIN_LOCKOUT_SECONDS, from any
# address; a client address is locked after SIGNIN_LOCKOUT_ADDRESS_FAILURES (higher: an office
# shares one address).
SIGNIN_LOCKOUT_FAILURES = env_int("SIGNIN_LOCKOUT_FAILURES", 5)
SIGNIN_LOCKOUT_ADDRESS_FAILURES = env_int("SIGNIN_LOCKOUT_ADDRESS_FAILURES", 30)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", 900)

# --- Cache: request throttles and sign-in failures are counted here -------------------------------
# Every process serving requests must see the same counts, so never a per-process LocMemCache:
# Redis when CACHE_URL or REDIS_URL is set (several hosts), else a table in the database
# (`shequ_cache`, created by the migration common/0001 or `manage.py createcachetable`).
_CACHE_URL = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
if _CACHE_URL:
    if not _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL / REDIS_URL must be a redis://, rediss:// or unix:// URL")
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "shequ"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shequ_cache",
            # Past this many rows Django culls a third of them, live or not: keep it well above the
            # counters a busy quarter of an hour creates.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
# The public lists' answers (common/public_cache.py): Redis beside the counters when it is set,
# else files in VAR_DIR shared by every worker process on the host (made on the first write).
CACHES["public"] = (
    {**CACHES["default"], "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "shequ") + "-public"}
    if _CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("PUBLIC_CACHE_DIR", str(VAR_DIR / "public-cache")),
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    }
)
# Where the cache's version lives: SQLite is one file on one host, so the version sits beside the
# answers (shared by that host's workers, no query per request); any other database may serve
# several hosts, so the version is in the default cache (the database table, or Redis) they share.
PUBLIC_CACHE_VERSION_CACHE = (
    "public"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not _CACHE_URL
    else "default"
)
PUBLIC_CACHE_ENABLED = env_bool("SHEQU_PUBLIC_CACHE", True)
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON bounded in depth (common/parsers.py): a body nested a thousand deep is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "common.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",  # documents the error envelope per operation
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
    # Our throttles (common.throttling) take the address from common.client_address; 0 keeps any
    # stock DRF throttle on REMOTE_ADDR too, never on the client's X-Forwarded-For.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "anon_write": env_str("API_THROTTLE_ANON_WRITE", "30/minute"),
        "ratings": env_str("API_THROTTLE_RATINGS", "30/hour"),
        "needs": env_str("API_THROTTLE_NEEDS", "20/hour"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shequ API",
    "DESCRIPTION": "Procurement marketplace for outsourced community services (政府购买服务).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationStatusEnum": "orgs.models.Organization.Status",
        "OrganizationKindEnum": "orgs.models.Organization.Kind",
        "TenderStatusEnum": "marketplace.models.Tender.Status",
        "BidStatusEnum": "marketplace.models.Bid.Status",
        "CriterionKindEnum": "marketplace.models.Criterion.Kind",
        "InstalmentKindEnum": "marketplace.models.PaymentScheduleItem.Kind",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "DocumentKindEnum": "documents.models.Document.Kind",
        "InstalmentStatusEnum": "contracts.models.Instalment.Status",
        "VariationKindEnum": "contracts.models.Variation.Kind",
        "VariationStatusEnum": "contracts.models.Variation.Status",
        "AreaLevelEnum": "orgs.models.Area.Level",
        "MembershipRoleEnum": "orgs.models.Membership.Role",
        "GridPostRoleEnum": "orgs.models.GridPost.Role",
        "GridPostStatusEnum": "orgs.models.GridPost.Status",
        "PaymentStatusEnum": "payments.models.Payment.Status",
        "PayoutAccountStatusEnum": "payments.models.PayoutAccount.Status",
        "ChallengeStatusEnum": "challenges.models.Challenge.Status",
        "ComplaintStatusEnum": "challenges.models.Complaint.Status",
        "ChallengeDecisionEnum": "challenges.models.Decision",
        "AppealDecisionEnum": ["upheld", "partly", "dismissed"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: no CDN needed
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge image from validator.swagger.io (the CSP allows images from our own origin only).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
}

# --- Domain settings (docs/rules.md §15) ------------------------------------------------------
MARKETPLACE_MIN_BIDDING_DAYS = env_int("MARKETPLACE_MIN_BIDDING_DAYS", 10)
MARKETPLACE_STANDSTILL_DAYS = env_int("MARKETPLACE_STANDSTILL_DAYS", 7)
EVALUATION_APPEAL_DAYS = env_decimal("EVALUATION_APPEAL_DAYS", "10")  # decimal days: 0.5 is 12 hours
# Confirming due evaluations runs in chunks of this many, one task each (docs/scaling.md).
SETTLEMENT_CHUNK = env_int("SETTLEMENT_CHUNK", 200)
# Due process (docs/rules.md §16): periods the law counts in working days use China's official
# calendar (common/workdays.py); the others are calendar days.
CHALLENGE_WORKING_DAYS = env_int("CHALLENGE_WORKING_DAYS", 7)  # 0: no challenge window
CHALLENGE_REPLY_WORKING_DAYS = env_int("CHALLENGE_REPLY_WORKING_DAYS", 7)
COMPLAINT_WORKING_DAYS = env_int("COMPLAINT_WORKING_DAYS", 15)
MARKETPLACE_CLARIFICATION_DAYS = env_int("MARKETPLACE_CLARIFICATION_DAYS", 15)
CONTRACT_SIGN_DAYS = env_int("CONTRACT_SIGN_DAYS", 30)
EXCLUSION_MONTHS = env_int("EXCLUSION_MONTHS", 12)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)

# Open data (docs/rules.md §21). An ocid is OCDS_OCID_PREFIX + "-" + the tender's id. A real prefix
# ("ocds-" and six characters) is registered with the Open Contracting Partnership; the default is
# a placeholder that no publisher holds. OCDS_PUBLIC_URL is where the site is reached from outside:
# documents' and the extension's addresses in the packages start with it.
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-xxxxxx")
OCDS_PUBLIC_URL = env_str("OCDS_PUBLIC_URL", "http://localhost:8000")
OCDS_PUBLISHER_NAME = env_str("OCDS_PUBLISHER_NAME", "社区服务采购平台 (Shequ)")
OCDS_LICENSE_URL = env_str("OCDS_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
OCDS_PAGE_SIZE = env_int("OCDS_PAGE_SIZE", 100)
VARIATION_MAX_PCT = env_int("VARIATION_MAX_PCT", 10)
# The payment rule's settings (docs/rules.md §11.3): copied into a contract's terms at award, so a
# change applies to contracts awarded afterwards only (marketplace/payment_rule.py).
RATING_PRIOR_CSAT = env_decimal("RATING_PRIOR_CSAT", "0.75")  # p0
RATING_PRIOR_WEIGHT = env_int("RATING_PRIOR_WEIGHT", 20)  # k
RATING_SAMPLE_MIN = env_int("RATING_SAMPLE_MIN", 20)  # n_min = min(N, max(20, ceil(0.10 × N)))
RATING_SAMPLE_SHARE = env_decimal("RATING_SAMPLE_SHARE", "0.10")
RATING_IP_BURST = env_int("RATING_IP_BURST", 20)
# A household recorded as the only recipient on this many service events of a contract is flagged
# to the bureau (docs/rules.md §11.10).
DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS = env_int("DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS", 5)
HOUSEHOLD_MAX_RESIDENTS = env_int("HOUSEHOLD_MAX_RESIDENTS", 6)  # pending + confirmed (docs/rules.md §12.2)
RESIDENT_PHONE_CODE_MINUTES = env_int("RESIDENT_PHONE_CODE_MINUTES", 15)  # an SMS code's life
RESIDENT_PHONE_CODE_ATTEMPTS = env_int("RESIDENT_PHONE_CODE_ATTEMPTS", 5)  # wrong entries per code
PAYMENTS_GATEWAY = env_str("PAYMENTS_GATEWAY", "treasury")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 30)
STRIPE_ONBOARDING_RETURN_URL = env_str("STRIPE_ONBOARDING_RETURN_URL", "http://localhost:8000/provider/")
STRIPE_ONBOARDING_REFRESH_URL = env_str("STRIPE_ONBOARDING_REFRESH_URL", "http://localhost:8000/provider/")
PAYMENTS_MAX_ATTEMPTS = env_int("PAYMENTS_MAX_ATTEMPTS", 10)
PAYMENTS_RECONCILE_AFTER_SECONDS = env_int("PAYMENTS_RECONCILE_AFTER_SECONDS", 600)
# A community task's funding is paid this many days before the task starts (docs/rules.md §23).
COMMUNITY_TASK_PAY_DAYS_BEFORE = env_int("COMMUNITY_TASK_PAY_DAYS_BEFORE", 7)
NOTIFICATIONS_SMS_BACKEND = env_str("NOTIFICATIONS_SMS_BACKEND", "common.notifications.ConsoleSmsBackend")

# --- Content-Security-Policy (django-csp) and Permissions-Policy ---------------------------------
# Scripts and styles come from our own origin only: no inline <script>, style="" or on…="" in any
# template (tests/frontend/test_security_headers.py holds every role's pages to it). A view that
# cannot avoid an inline script gives it nonce="{{ request.csp_nonce }}" and adds csp.constants.NONCE
# to its script-src with csp.decorators.csp_update.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # Paying through Stripe, a provider's "set up payouts" form is redirected to Stripe's
        # onboarding, which form-action also governs.
        "form-action": [SELF, *(["https://connect.stripe.com"] if PAYMENTS_GATEWAY == "stripe" else [])],
    },
}
# Browser features no page uses, switched off for every origin (common.headers).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Celery -------------------------------------------------------------------------------------
# Tasks run eagerly (in the request's process) unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Unacknowledged tasks (acks_late, worker killed) are redelivered once they have been invisible
    # this long; the sweep for them runs about every interval × throttle seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    }
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Its folders are made by config/celery.py when the Celery app is configured.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BEAT_SCHEDULE = {
    "seal-log": {
        "task": "auditchain.tasks.seal_log",
        "schedule": env_int("BEAT_SEAL_LOG_SECONDS", 60),
    },
    "close-due-tenders": {
        "task": "marketplace.tasks.close_due_tenders",
        "schedule": env_int("BEAT_CLOSE_TENDERS_SECONDS", 60),
    },
    "open-due-evaluations": {
        "task": "evaluations.tasks.open_due_evaluations",
        "schedule": crontab(minute="*/10"),
    },
    "confirm-due-evaluations": {
        "task": "evaluations.tasks.confirm_due_evaluations",
        "schedule": crontab(minute="*/10"),
    },
    "notify-published-evaluations": {
        "task": "evaluations.tasks.notify_published_evaluations",
        "schedule": crontab(minute="*/5"),
    },
    "remind-recipients-to-rate": {
        "task": "evaluations.tasks.remind_recipients",
        "schedule": crontab(hour=10, minute=0),
    },
    "finalize-due-awards": {
        "task": "contracts.tasks.finalize_due_awards",
        "schedule": crontab(minute="*/5"),
    },
    "release-unheld-awards": {
        "task": "challenges.tasks.release_unheld_awards",
        "schedule": crontab(minute="*/10"),
    },
    "remind-due-replies-and-decisions": {
        "task": "challenges.tasks.remind_due_replies_and_decisions",
        "schedule": crontab(hour=9, minute=30),
    },
    "retry-failed-payments": {
        "task": "payments.tasks.retry_failed_payments",
        "schedule": env_int("BEAT_RETRY_PAYMENTS_SECONDS", 300),
    },
    "reconcile-payments": {
        "task": "payments.tasks.reconcile_payments",
        "schedule": env_int("BEAT_RECONCILE_PAYMENTS_SECONDS", 600),
    },
    "remind-finance-of-payable-instalments": {
        "task": "payments.tasks.remind_finance_of_payable_instalments",
        "schedule": crontab(hour=9, minute=0),
    },
    "pay-due-community-tasks": {
        "task": "communitytasks.tasks.pay_due_community_tasks",
        "schedule": crontab(minute="*/30"),
    },
}

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "noreply@shequ.localhost")
# With DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend: your mail server.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
# A password reset link works once, for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
