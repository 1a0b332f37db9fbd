"""One settings module, read from the environment (see .env.example).

Defaults are safe: DEBUG is off unless set, and SECRET_KEY is required unless DEBUG is on.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Where the SQLite file, index snapshots and collected static files live.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-used-only-with-DEBUG"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "csp",
    "channels",
    "axes",
    "backend.common",
    "backend.accounts",
    "backend.programs",
    "backend.startups",
    "backend.matches",
    "backend.chat",
    "backend.reviews",
    "backend.pilots",
    "backend.reports",
    "backend.notifications",
    "backend.demo",
    "backend.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.common.middleware.LengthRequiredMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a lockout flagged during authentication into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
ASGI_APPLICATION = "backend.config.asgi.application"
WSGI_APPLICATION = "backend.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and inline background work share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # A pool of connections per process (psycopg's), not persistent connections: under ASGI
    # each request runs in a thread of its own, and connections kept per thread (CONN_MAX_AGE)
    # pile up until PostgreSQL refuses new clients.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=10),
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
FORMAT_MODULE_PATH = ["backend.config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files (applications' PDFs): never served from a public address, only through the
# views that check who asks. Shared by every process of a deployment.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

LOGIN_URL = "/accounts/login/"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: one PUBLISH per event, streamed to every other process subscribed
            # to its group (this process's own channels get it at once), instead of a copy
            # pushed into each socket's list and popped one round trip at a time. Events are not
            # queued for a process that is away; the chat numbers its messages and fills any gap
            # from the database, and notifications are stored.
            "BACKEND": "backend.common.channel_layer.LocalFirstPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        # Pooled connections go stale when Redis restarts: without retries the
                        # first command on one fails (a WebSocket handshake would answer 500).
                        "retry": Retry(ExponentialBackoff(cap=2, base=0.05), 6),
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _next_redis_database(url: str) -> str:
    """The same Redis, one database number up (redis://h:6379/0 -> /1), for the cache."""
    parts = urlsplit(url)
    number = parts.path.lstrip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"Set REDIS_CACHE_URL: no database number in {url!r}.")
    return parts._replace(path=f"/{(int(number) + 1) % 16}").geturl()


# The cache holds the per-address sign-in and sign-up counts (DRF throttles): on Redis, every
# process shares them; in its own database there, apart from the channel layer and Celery.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (
    _next_redis_database(REDIS_URL) if REDIS_URL else ""
)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Brute force. Per account and address (django-axes, counted in the database): after
# LOGIN_FAILURE_LIMIT failed sign-ins, each within LOGIN_COOLOFF_MINUTES of the one before, that
# account is refused from that address for LOGIN_COOLOFF_MINUTES (restarted by each further
# try), even with the right password; its owner elsewhere is not locked out. Per address (DRF
# throttles, counted in the cache): sign-ins (API token and web form together) and sign-ups.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures only; no row per successful sign-in
AXES_USERNAME_CALLABLE = "backend.accounts.throttles.attempted_username"
AXES_CLIENT_IP_CALLABLE = "backend.accounts.throttles.client_address"
AXES_LOCKOUT_CALLABLE = "backend.accounts.throttles.lockout_response"
LOGIN_RATE_PER_ADDRESS = env.str("LOGIN_RATE_PER_ADDRESS", default="20/min")
SIGNUP_RATE_PER_ADDRESS = env.str("SIGNUP_RATE_PER_ADDRESS", default="20/min")
# Each request mails someone: a few an hour from one address are plenty.
PASSWORD_RESET_RATE_PER_ADDRESS = env.str("PASSWORD_RESET_RATE_PER_ADDRESS", default="20/hour")

# Mail, through Django's mail API: smtp://user:password@host:25, smtp+tls://...:587,
# smtp+ssl://...:465, or consolemail:// (the default: mail is printed to the log, so the embedded
# default works offline). Sent from the durable outbox after commit, in the background.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cohortis <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as people reach it: links in mail are absolute.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A link in a sign-up or password-reset mail works once, for this long.
PASSWORD_RESET_TIMEOUT = env.int("MAIL_LINK_HOURS", default=72) * 3600

# Background work: Celery on Redis when configured, otherwise run inline in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("TASKS_INLINE", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A task taken by a worker that dies is handed to another after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The hour (TIME_ZONE) of the daily digests: Celery beat's, or the embedded server's own.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
# The longest a pilot runs (and an extension adds), in days.
PILOT_MAX_DAYS = env.int("PILOT_MAX_DAYS", default=100)
# The district whose report operators export: "gathered" startups are registered in it.
DISTRICT_NAME = env.str("DISTRICT_NAME", default="静安区")
# Periodic work for `celery beat` (docker's `beat` service, one only): mail that failed is
# tried again; the daily digests; firms reminded of startups waiting past a response promise.
CELERY_BEAT_SCHEDULE = {
    "remind-overdue-answers": {
        "task": "backend.matches.tasks.remind_overdue_answers",
        "schedule": 3600.0,
    },
    "alert-pilots": {"task": "backend.pilots.tasks.alert_pilots", "schedule": 3600.0},
    "send-outgoing-mail": {"task": "backend.accounts.mail.send_outgoing_mail", "schedule": 60.0},
    "send-digests": {
        "task": "backend.notifications.tasks.send_digests",
        "schedule": crontab(hour=DIGEST_HOUR, minute=0),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous API call answers 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.common.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "backend.common.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.common.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["backend.common.parsers.StrictJSONParser"],
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_RATES": {
        "login": LOGIN_RATE_PER_ADDRESS,
        "signup": SIGNUP_RATE_PER_ADDRESS,
        "password_reset": PASSWORD_RESET_RATE_PER_ADDRESS,
    },
    # The client is REMOTE_ADDR, never X-Forwarded-For as sent (uvicorn resolves trusted proxies).
    "NUM_PROXIES": 0,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Open-innovation matchmaking API",
    "DESCRIPTION": (
        "Accelerators, technology challenges, startup capability profiles, cohorts and matches. "
        'Every error answers {"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, not a CDN: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.common.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AcceleratorStatusEnum": "backend.programs.models.Accelerator.Status",
        "ChallengeStatusEnum": "backend.programs.models.Challenge.Status",
        "CohortMembershipStatusEnum": "backend.programs.models.CohortMembership.Status",
        "MatchStatusEnum": "backend.matches.models.Match.Status",
        "DeliveryEnum": "backend.notifications.models.Delivery",
        "MatchSideEnum": "backend.matches.models.Match.Side",
        "OutcomeKindEnum": "backend.pilots.models.Outcome.Kind",
        "OrganizationKindEnum": "backend.accounts.models.Organization.Kind",
        "SignupKindEnum": [("enterprise", "Enterprise"), ("startup", "Startup")],
    },
}

# Content-Security-Policy (django-csp 4). Scripts only from this origin, never inline: the API
# docs use drf-spectacular's split view, whose init script is a same-origin URL. Styles allow
# 'unsafe-inline' because templates set bar widths through style="--w: ..." attributes (and
# 500.html and Swagger UI carry a <style> block).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF, "ws:", "wss:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Production hardening; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "backend.common.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # Structured (one JSON object a line) for log shippers; plain for people.
            "formatter": env.str("LOG_FORMAT", default="plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "faiss.loader": {"level": "WARNING"},
        "bm25s": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; the rest of axes' chatter is not worth a line.
        "axes": {"level": "WARNING"},
    },
}

# Matching engine settings, handed to `matching` as a frozen config object.
MATCHING_MODEL_PATH = env.str("MATCHING_MODEL_PATH", default="") or None
# torch | onnx | onnx-int8 (int8: about 2x faster, nDCG@10 0.004 lower on the dev split).
MATCHING_BACKEND = env.str("MATCHING_BACKEND", default="torch")
# Documents also get vectors of the multilingual encoder, so Chinese and English find each other.
MATCHING_MULTILINGUAL = env.bool("MATCHING_MULTILINGUAL", default=True)
MATCHING_INDEX_DIR = Path(env.str("MATCHING_INDEX_DIR", default=str(VAR_DIR / "index")))
MATCHING_APPROXIMATE_THRESHOLD = env.int("MATCHING_APPROXIMATE_THRESHOLD", default=50_000)
MATCHING_PROPOSALS_PER_CHALLENGE = env.int("MATCHING_PROPOSALS_PER_CHALLENGE", default=20)
MATCHING_PROPOSALS_PER_PROFILE = env.int("MATCHING_PROPOSALS_PER_PROFILE", default=10)
# Where the indexer drains the change log: in the web process (embedded default) or in Celery.
MATCHING_INDEXER_IN_PROCESS = CELERY_TASK_ALWAYS_EAGER
# Documents an organisation may have re-embedded per minute; the rest wait in the log.
MATCHING_REEMBED_PER_MINUTE = env.int("MATCHING_REEMBED_PER_MINUTE", default=30)
