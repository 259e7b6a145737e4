"""Settings for ecopark, read from environment variables only (django-environ).

Runtime modes (docs/architecture.md):

- no variables set: SQLite under ``var/``, Celery eager (tasks run in-process), DEBUG on;
- ``DATABASE_URL``: any database django-environ understands, PostgreSQL in production;
- ``CELERY_BROKER_URL``: a real broker (Redis) and a worker; tasks are no longer eager;
- ``ECOPARK_ENV=production``: DEBUG off, secure cookies, HSTS, SSL redirect; ``SECRET_KEY``
  and ``ALLOWED_HOSTS`` must then be set, otherwise start-up fails with ImproperlyConfigured.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

ECOPARK_ENV = env.str("ECOPARK_ENV", default="development")
if ECOPARK_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"ECOPARK_ENV must be development, production or test, not {ECOPARK_ENV!r}"
    )
PRODUCTION = ECOPARK_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: raises ImproperlyConfigured when missing
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="insecure-development-key-do-not-use-in-production-ecopark"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "knox",
    "axes",
    "enterprises",
    "indicators",
    "registers",
    "surveys",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "ecopark.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ecopark.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ecopark.middleware.PreferredLanguageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecopark.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "ecopark.wsgi.application"
ASGI_APPLICATION = "ecopark.asgi.application"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ecopark.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: process-local by default; ``CACHE_URL`` (e.g. ``redis://127.0.0.1:6379/1``) shares
# one among the web processes. Sessions are read from a shared cache (written through to the
# database); a process-local cache would let a session deleted by one process (log-out) live
# on in another's, so without one they are read from the database. Dashboard bodies are kept
# per process ("pages"): their keys carry the cache stamp (dashboards/stamps.py), so a copy is
# never served after a change, and a 250 KB page is not shipped through the network on
# every request.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://ecopark"),
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ecopark-pages",
        "OPTIONS": {"MAX_ENTRIES": env.int("ECOPARK_PAGE_CACHE_ENTRIES", default=200)},
    },
}
# A Redis cache degrades to "no cache" while Redis is unreachable (ecopark/cache.py): sessions
# are then read from the database and pages built afresh, instead of answering 500.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "ecopark.cache.DegradingRedisCache"
    _cache_timeout = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=_cache_timeout, socket_timeout=_cache_timeout
    )
CACHE_SHARED = CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] not in {
    "LocMemCache",
    "DummyCache",
}
# Longest life of a cached dashboard page (its key changes anyway when the data does).
ECOPARK_DASHBOARD_CACHE_SECONDS = env.int("ECOPARK_DASHBOARD_CACHE_SECONDS", default=300)
# Days a finished XLSX export's file is kept before the daily "exports-expire" task deletes it.
ECOPARK_EXPORT_KEEP_DAYS = env.int("ECOPARK_EXPORT_KEEP_DAYS", default=7)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_SHARED
    else "django.contrib.sessions.backends.db"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first (refuses a locked-out user before any password is checked), then
# Django's password backend loading the user's memberships in the same query.
AUTHENTICATION_BACKENDS = [
    "enterprises.backends.LockoutBackend",
    "enterprises.backends.ScopedModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English is the other complete catalogue.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# dates as each language writes them (lower-case "ngày" mid-sentence, day/month/year)
FORMAT_MODULE_PATH = ["ecopark.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Served without DEBUG (production, the benchmarks): static files fingerprinted (cached for a
# year by browsers) and stored gzip- and brotli-compressed by `collectstatic`, which must run
# first (docker-compose.yml, benchmarks/). With DEBUG (`make run`, the tests) they are served
# from static/ as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: eager without a broker (embedded default), a real broker otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The ZIP of a campaign's official documents is written in chunks, each a task well inside the
# soft time limit (surveys/documents_archive.py): at most ECOPARK_DOCUMENTS_CHUNK documents
# (100 PDF at the measured 0.88 s each ≈ 90 s, benchmarks/README.md) and no document begun
# after ECOPARK_DOCUMENTS_CHUNK_SECONDS (a third of the soft limit by default).
ECOPARK_DOCUMENTS_CHUNK = env.int("ECOPARK_DOCUMENTS_CHUNK", default=100)
ECOPARK_DOCUMENTS_CHUNK_SECONDS = env.float(
    "ECOPARK_DOCUMENTS_CHUNK_SECONDS", default=CELERY_TASK_SOFT_TIME_LIMIT / 3
)
if ECOPARK_DOCUMENTS_CHUNK < 1 or ECOPARK_DOCUMENTS_CHUNK_SECONDS > CELERY_TASK_SOFT_TIME_LIMIT / 2:
    raise ImproperlyConfigured(
        "ECOPARK_DOCUMENTS_CHUNK must be at least 1 and ECOPARK_DOCUMENTS_CHUNK_SECONDS at most "
        "half of CELERY_TASK_SOFT_TIME_LIMIT (a chunk's last document must still fit)"
    )
# Fail fast when the broker is down at publish time: the submission still commits and the
# snapshot is marked stale (docs/architecture.md). Redis redelivers a message its worker did
# not acknowledge (acks_late) after ``visibility_timeout``: longer than a task may run (the hard
# time limit) plus the longest retry countdown (60 s), so a running or waiting task is never
# delivered twice; a lost "recompute everything" run is resumed sooner, by its heartbeat.
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 120
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT + 60:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT + 60 s (a retry's countdown)"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
# Seconds between two sweeps of stale results; a lost recompute message is sent again within
# two periods (dashboards/models.py, RecomputeState.pending_expires).
ECOPARK_SWEEP_SECONDS = env.float("ECOPARK_SWEEP_SECONDS", default=300.0)
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-snapshots": {
        "task": "dashboards.tasks.sweep_stale_snapshots",
        "schedule": ECOPARK_SWEEP_SECONDS,
    },
    # "Recompute everything" runs whose worker died (no heartbeat for 30 s) are resumed.
    "watch-recompute-runs": {
        "task": "dashboards.tasks.watch_recompute_runs",
        "schedule": 30.0,
    },
    # E-mail reminders before/after the close date and the weekly digest (surveys/reminders.py);
    # each is recorded when sent, so a re-run or a second beat sends nothing twice.
    "survey-reminders": {
        "task": "surveys.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "survey-weekly-digest": {
        "task": "surveys.tasks.send_weekly_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # Certificate expiry notices (60 days before) and overdue roadmap actions, each sent once
    # (registers/notices.py, task in registers/tasks.py).
    "registers-daily": {
        "task": "registers.tasks.registers_daily",
        "schedule": crontab(hour=7, minute=15),
    },
    # Delete expired sessions (Django keeps them in the database until clearsessions runs).
    "clear-sessions": {
        "task": "ecopark.clear_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Delete XLSX export files finished ECOPARK_EXPORT_KEEP_DAYS ago (surveys/services_exports.py).
    "exports-expire": {
        "task": "surveys.tasks.expire_exports_task",
        "schedule": crontab(hour=3, minute=0),
    },
}
# beat's crontab entries are read in the project's time zone (Asia/Ho_Chi_Minh)
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    # basic first: a request without valid credentials answers 401 with WWW-Authenticate;
    # personal tokens (django-rest-knox) spare scripts a password hash per request
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "enterprises.authentication.AxesBasicAuthentication",
        "enterprises.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "ecopark.throttling.AnonThrottle",
        "ecopark.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("ECOPARK_API_ANON_RATE", default="60/minute"),
        "user": env.str("ECOPARK_API_USER_RATE", default="3600/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["common.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "ecopark.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "ecopark.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ecopark API",
    "DESCRIPTION": (
        "Industrial parks, enterprises and their progress toward Vietnam's eco-industrial "
        "park criteria (Decree 35/2022/ND-CP, Circular 05/2025/TT-BKHĐT)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # request bodies are documented as JSON, the API's format (its types are held:
    # common/serializers.py); form bodies stay accepted for the browsable API, where every
    # value is a string and DRF's coercion applies
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "ResponseStatusEnum": "surveys.models.Response.Status",
        "RoleEnum": "enterprises.models.Role",
    },
}

# People and login protection (docs/people.md): invitations, personal API tokens, lockout.
# django-axes: 5 failed logins for one user name from one address within 15 minutes lock that
# user name from that address for 15 minutes (login form and API basic authentication).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# attempts while locked do not extend the lock: it ends 15 minutes after the fifth failure
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "enterprises.views_accounts.locked_out"
# no "AXES: BEGIN …" banner on every command and request (lockouts are still logged)
AXES_VERBOSE = False
# Personal API tokens (django-rest-knox): stored as SHA-512 digests; the owner picks a lifetime.
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # PDF libraries, quiet below WARNING: WeasyPrint logs every layout step of every page
    # ("Step 5 - Creating layout - Page 1"), fontTools every font subset, at INFO
    "loggers": {
        name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "fontTools.subset")
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ecopark <no-reply@ecopark.local>")
# SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): server, port, login, TLS.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; set one")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The address of the site in e-mails (links to responses), without a trailing slash.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# A strict Content-Security-Policy (django-csp): scripts only from this site (no inline
# script or handler: pages use static/js/), nothing framed or embedded. Styles may be inline
# because plotly.js writes its own <style> rules; images may be data: URLs (plotly's exports).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# ``X-Forwarded-Proto`` is trusted only from the reverse proxies named here (their addresses
# as gunicorn sees them); unset, the header is ignored (ecopark/middleware.py).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
if TRUSTED_PROXY_IPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
