"""Settings for Michou. Every value that differs between machines comes from the environment.

With nothing set, the platform runs on its embedded default: SQLite, and Celery on a filesystem broker that needs
no server. `DATABASE_URL` and `REDIS_URL` switch it to PostgreSQL and Redis.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_HASHES

from crowdfund import production

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Off unless asked for: a deployment that sets nothing refuses to start on the development secrets (see the end of
# this file); `make run` and the tests ask for DEBUG.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=production.DEVELOPMENT_SECRET_KEY)
# Earlier keys, still accepted for signed values (sessions, password-reset links) while a new key takes over.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "kernel",
    "audit",
    "accounts",
    "projects",
    "investors",
    "ledger",
    "risk",
    "emails",
    "outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crowdfund.urls"
WSGI_APPLICATION = "crowdfund.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "emails.context_processors.unread_notifications",
            ],
            "builtins": ["crowdfund.money_format"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker share the file: wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# Persistent connections for production (gunicorn, Celery): each process keeps its connection this many seconds
# instead of opening one per request, and checks it is still alive before reusing it. 0 closes it after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens (accounts.models.ApiToken) end this long after they are issued.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=720)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed logins: after AXES_FAILURE_LIMIT failures for one username from one address, further attempts are refused
# with 429 for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and number grouping per language (crowdfund/formats/); amounts through the `money` filter.
FORMAT_MODULE_PATH = ["crowdfund.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded documents live here, outside the static files, and are served only by a view that checks access
# (there is no MEDIA_URL route).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Michou <noreply@michou.example>")
# The email outbox (emails/): attempts before an email is `failed` for staff, the first retry delay (doubled after
# each failure), and how many due emails one sweep sends.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
EMAIL_RETRY_SECONDS = env.int("EMAIL_RETRY_SECONDS", default=60)
EMAIL_SWEEP_BATCH = env.int("EMAIL_SWEEP_BATCH", default=500)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an unauthenticated request 401, as the contract says.
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the API's page is its documentation (/api/v1/docs/). DRF's browsable pages carry inline styles
    # that the Content-Security-Policy blocks.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api_errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
        # Logins (API and web) per username from any address, and per address for any username.
        "login_username": env.str("LOGIN_USERNAME_RATE", default="20/hour"),
        "login_address": env.str("LOGIN_ADDRESS_RATE", default="100/hour"),
        # Registrations (API and web) per address; subscription attempts (API and web) per investor.
        "register": env.str("REGISTER_RATE", default="10/hour"),
        "subscribe": env.str("SUBSCRIBE_RATE", default="30/minute"),
    },
    # Proxies in front of the application whose X-Forwarded-For entries are trusted for client addresses; with 0
    # the header is ignored, so a client cannot give itself a fresh address.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Michou API",
    "DESCRIPTION": "Equity crowdfunding: issuers, offerings, investors, subscriptions, risk review.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge image from validator.swagger.io: the page loads nothing from elsewhere (Content-Security-Policy).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are named `kind`: a statement's and a document's.
    "ENUM_NAME_OVERRIDES": {
        "StatementKindEnum": "projects.models.StatementKind",
        "DocumentKindEnum": "projects.models.DocumentKind",
    },
}

# Celery. Without REDIS_URL, a filesystem broker lets a worker run beside the web server with no other service.
REDIS_URL = env.str("REDIS_URL", default="")
# Rate-limit counts and other cached values. Each process keeps its own unless CACHE_URL names a shared Redis (a
# database of its own: clearing the cache flushes it), which production with several web processes needs.
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Subscriptions settled or refunded per transaction (investors/subscriptions/settlement.py): a few statements per batch rather than
# several per subscription, and locks held for a fraction of a second.
SETTLEMENT_BATCH_SIZE = env.int("SETTLEMENT_BATCH_SIZE", default=500)
# How long an anonymous offering list or page is served from the cache (projects/page_cache.py): the most a change
# that bumps no version takes to show. 0 turns the page cache off (the tests, which change rows behind the services).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=2)
CELERY_FILESYSTEM_BROKER_DIR = BASE_DIR / "var" / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that then dies whole (not only its child) goes back to the queue once it has been
    # unacknowledged for `visibility_timeout` seconds, found by a scan every `unacked_restore_interval` (×
    # `unacked_restore_throttle`) seconds; kombu's defaults are 3600 s and 100 s.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=100),
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The folders must exist before the first task is sent, from the web process or the worker.
    for folder in ("processed", "control"):
        (CELERY_FILESYSTEM_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Tests give each worker a queue of its own, so that tasks sent from inside a task stay with that worker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The outbox relay (outbox/services.py) sends again, every OUTBOX_RELAY_SECONDS, what could not be sent after commit;
# a message younger than OUTBOX_RELAY_GRACE_SECONDS is left to its own after-commit attempt.
OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=10.0)
OUTBOX_RELAY_GRACE_SECONDS = env.float("OUTBOX_RELAY_GRACE_SECONDS", default=5.0)
OUTBOX_RELAY_BATCH = 1000
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "outbox.relay", "schedule": OUTBOX_RELAY_SECONDS},
    "open-due-offerings": {"task": "projects.open_due_offerings", "schedule": 30.0},
    "close-due-offerings": {"task": "projects.close_due_offerings", "schedule": 30.0},
    "expire-reservations": {"task": "investors.expire_reservations", "schedule": 60.0},
    # Before settlement, so that a finding that time alone raises (a commitment still unpaid at the deadline)
    # holds the money first.
    "risk-sweep": {"task": "risk.sweep", "schedule": env.float("RISK_SWEEP_SECONDS", default=3600.0)},
    "settle-closing-offerings": {"task": "investors.settle_closing_offerings", "schedule": 60.0},
    "retry-refunds": {"task": "investors.retry_refunds", "schedule": 300.0},
    "reconcile-payments": {"task": "investors.reconcile_payments", "schedule": 3600.0},
    "lapse-reconfirmations": {"task": "investors.lapse_reconfirmations", "schedule": 300.0},
    "remind-annual-reports": {"task": "projects.remind_annual_reports", "schedule": 3600.0},
    "send-due-emails": {"task": "emails.send_due_emails", "schedule": 60.0},
}

# Identity numbers are encrypted at rest (Fernet) and found again by a keyed hash. Both keys are independent of
# SECRET_KEY, so rotating it changes neither. FIELD_ENCRYPTION_KEY is a comma-separated list: the first key encrypts,
# every key decrypts, and `manage.py rotate_identity_keys` re-encrypts what older keys wrote.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[production.DEVELOPMENT_FIELD_ENCRYPTION_KEY])
IDENTITY_HASH_KEY = env.str("IDENTITY_HASH_KEY", default="").encode() or production.DEVELOPMENT_IDENTITY_HASH_KEY
IDENTITY_PROVIDER = env.str("IDENTITY_PROVIDER", default=production.DEMO_IDENTITY_PROVIDER)
# Acknowledges a public demonstration: the demo identity provider (which verifies everyone) is then allowed with
# DEBUG off.
MICHOU_DEMO = env.bool("MICHOU_DEMO", default=False)

# The investor-protection regime stamped on each new offering.
MICHOU_REGIME = env.str("MICHOU_REGIME", default="cn")
# Unified social credit codes of the platform's own legal entities: under regimes that forbid a platform to raise for
# itself, these issuers are refused.
PLATFORM_OWN_ENTITY_USCCS = [
    code.strip().upper() for code in env.list("PLATFORM_OWN_ENTITY_USCCS", default=[]) if code.strip()
]
PLATFORM_FEE_RATE = Decimal(env.str("PLATFORM_FEE_RATE", default="0.05"))
# A subscription whose payment has not succeeded this long after it reserved capacity gives the capacity back.
RESERVATION_MINUTES = env.int("RESERVATION_MINUTES", default=15)
# After a material change, paid investors have this many business days (Monday to Friday) to confirm again; then
# their subscription is cancelled and refunded.
RECONFIRM_BUSINESS_DAYS = env.int("RECONFIRM_BUSINESS_DAYS", default=5)
# The window of dates an issuer may set: an offering opens at most OFFERING_MAX_LEAD_DAYS from now and closes at most
# OFFERING_MAX_OPEN_DAYS after it opens; a company was founded in 1900 or later, and not in the future.
OFFERING_MAX_LEAD_DAYS = env.int("OFFERING_MAX_LEAD_DAYS", default=365)
OFFERING_MAX_OPEN_DAYS = env.int("OFFERING_MAX_OPEN_DAYS", default=365)
# The longest free text (a description, a summary, an update, a note) anyone may post, in characters.
FREE_TEXT_MAX_CHARS = env.int("FREE_TEXT_MAX_CHARS", default=20000)
# After a successful raise the issuer files an actual full-year statement within ANNUAL_REPORT_DUE_DAYS of each
# fiscal year's end (December 31), and is reminded by email ANNUAL_REPORT_REMINDER_DAYS after it.
ANNUAL_REPORT_DUE_DAYS = env.int("ANNUAL_REPORT_DUE_DAYS", default=120)
ANNUAL_REPORT_REMINDER_DAYS = env.int("ANNUAL_REPORT_REMINDER_DAYS", default=90)
# It also files an actual H1 statement after each June 30 that follows the close, within
# RISK_POLICY["interim_report_due_days"] of that June 30, and is reminded INTERIM_REPORT_REMINDER_DAYS after it.
INTERIM_REPORT_REMINDER_DAYS = env.int("INTERIM_REPORT_REMINDER_DAYS", default=45)

# The review policy (the published thresholds of risk/README section "Review policy"). Each can be set from the
# environment as RISK_<NAME>, e.g. RISK_PROFIT_SHORTFALL_RATIO=0.4.
RISK_POLICY = {
    name: env.str(f"RISK_{name.upper()}", default=default)
    for name, default in {
        "profit_shortfall_ratio": "0.50",
        "revenue_shortfall_ratio": "0.60",
        "forecast_growth_multiple": "2",
        "forecast_run_rate_multiple": "2",
        "interim_profit_shortfall_ratio": "0.50",
        "interim_revenue_shortfall_ratio": "0.60",
        "interim_report_due_days": "60",
        "commitment_window_days": "3",
        "platform_stake_high_pct": "20",
        "quarterly_tolerance_ratio": "0.01",
        "refiling_tolerance_ratio": "0.05",
        "assurance_target_amount": "5000000",
        "shill_paid_share": "0.20",
        "shill_account_age_days": "7",
    }.items()
}

STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_michou_local")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default=production.DEVELOPMENT_WEBHOOK_SECRET)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# HTTPS. With DEBUG off every default is the safe one: HTTPS only, HSTS for a year, cookies sent over HTTPS only.
# Behind a proxy that ends TLS, DJANGO_SECURE_PROXY_SSL_HEADER names the header it sets (e.g.
# HTTP_X_FORWARDED_PROTO,https); without it every request would look like plain HTTP and be redirected forever.
SECURE_PROXY_SSL_HEADER = production.proxy_ssl_header(env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[]))
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)

# Content-Security-Policy on every response: scripts, styles, images and fonts only from this site, no inline script,
# style or handler, no framing, forms posting only here. Pages keep their code in static files (the browser tests
# fail on any violation).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The one inline style of a page we do not write: django-simple-history's admin history list has
        # style="border-top: 0" on its paginator. The hash allows that exact attribute and nothing else.
        "style-src": [SELF, UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        # Swagger UI draws its icons as data: images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

if not DEBUG:
    production.refuse_unsafe_production(
        secret_key=SECRET_KEY,
        field_encryption_keys=FIELD_ENCRYPTION_KEYS,
        identity_hash_key=IDENTITY_HASH_KEY,
        webhook_secret=STRIPE_WEBHOOK_SECRET,
        identity_provider=IDENTITY_PROVIDER,
        demo=MICHOU_DEMO,
    )
