"""Django settings. Everything that differs between machines comes from the environment (config.env)."""

from __future__ import annotations

import os
import sys

from accounts.logcontext import logging_config
from config.env import BASE_DIR, database_from_url, env_bool, env_list
from config.security import DEVELOPMENT_SECRET_KEY, https_settings

TESTING_PROCESS = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

# Production mode unless DJANGO_DEBUG=true (`make run` sets it): debug pages never reach strangers
# by accident, and production refuses to start with the development key (config.security's check).
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL, *env_list("CSRF_TRUSTED_ORIGINS")]
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
TESTING = TESTING_PROCESS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "config.apps.ServerConfig",  # production SECRET_KEY check (config.security)
    "accounts",
    "scenarios",  # before studio: its `flows` command (studio's plus `test`) is the one run
    "studio",
    "executions",
    "flex",
    "serverless",
    "conversations",
    "webchat",
    "ops",  # /metrics, /healthz/live and /healthz/ready
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The database down in any middleware below answers the 503 views answer (debug mode too).
    "accounts.outage.DatabaseOutageMiddleware",
    "accounts.input_guards.NulGuardMiddleware",  # NUL in a path, query or form: 400 (PostgreSQL refuses it)
    # /conversations/v1/… and /serverless/v1/… (or such a host): which product shares /v1/Services.
    "conversations.product.ProductPrefixMiddleware",
    # Requests to {environment}.{SERVERLESS_FUNCTIONS_DOMAIN} are the functions gateway's.
    "serverless.serving.FunctionsHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    # Request sid and account on every log line; webhook timings (accounts.logcontext).
    "accounts.logcontext.RequestContextMiddleware",
]

# Security headers (SecurityMiddleware, XFrameOptionsMiddleware) and, in production mode behind
# HTTPS, Secure cookies, HSTS and the proxy's X-Forwarded-Proto (config.security).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
globals().update(https_settings(DEBUG, default=not TESTING_PROCESS))
SESSION_COOKIE_HTTPONLY = True
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.security.SettingsFilter"
# security.W021 (HSTS preload): preloading is the operator's opt-in (DJANGO_HSTS_PRELOAD=true),
# a promise to browsers' built-in lists that cannot be taken back quickly (README "Production mode").
SILENCED_SYSTEM_CHECKS = ["security.W021"]

ROOT_URLCONF = "config.urls"
APPEND_SLASH = False
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
            ]
        },
    }
]
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [d for d in [BASE_DIR / "frontend" / "dist"] if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.auth.TwilioBasicAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.auth.IsAccountAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
        "accounts.input_guards.SafeJSONParser",  # JSON depth and surrogates checked
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "accounts.errors.twilio_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["accounts.limits.AccountRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Studio API",
    "DESCRIPTION": "Twilio-compatible Studio v2 API and the console API used by the canvas.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Method and StatusCallbackMethod share one enum (executions.schema)
    "ENUM_NAME_OVERRIDES": {"HttpMethodEnum": "executions.schema.HTTP_METHODS"},
    "SERVE_INCLUDE_SCHEMA": False,  # the schema's own endpoint is no API operation
    # Every operation documents Twilio's error answers (400/401/403/404/409/413/429)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.openapi.document_error_responses",
    ],
}

# The cache holds the rate and failed-login counters (accounts.limits): shared on Redis in the
# production topology, in process memory when embedded (one process) and in the test process (its
# tests reset the counters; the servers the topology tests start use Redis).
if REDIS_URL and not TESTING_PROCESS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Channels: Redis when configured, in-memory otherwise (embedded mode, one process).
if REDIS_URL:
    # capacity: channels_redis queues every consumer of a process in one list, dropping (silently)
    # what is sent beyond 100 waiting; 200 web chats (400 sockets) overran that under load and
    # lost live messages. Messages still expire after 60 s.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.RedisChannelLayer",  # (see there: no loss on a cancel)
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 5000},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: a broker on Redis in the production topology; tasks run in-process (eager) when embedded.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection before and after every task unless this
# is set (then every DB_REUSE_MAX tasks): a new PostgreSQL connection per task cost more than
# the task. executions.tasks closes unusable or CONN_MAX_AGE-obsolete ones around each task.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
CELERY_BEAT_SCHEDULE = {
    "sweep-waits": {"task": "executions.tasks.sweep_waits", "schedule": 1.0},
    "sweep-flex-timers": {"task": "flex.tasks.sweep_timers", "schedule": 1.0},
    "sweep-conversation-timers": {"task": "conversations.tasks.sweep_timers", "schedule": 5.0},
    # Executions past STUDIO_EXECUTION_RETENTION_DAYS (executions.engine.retention).
    "purge-executions": {
        "task": "executions.tasks.purge_executions",
        "schedule": float(os.environ.get("STUDIO_PURGE_INTERVAL_SECONDS", "3600")),
    },
}

# Studio limits and tunables: defaults and their meaning in studio/conf.py (read through
# ``studio.conf.studio_settings``); only what the environment sets is given here.
STUDIO = {
    "EXECUTION_LIFETIME_DAYS": int(os.environ.get("STUDIO_EXECUTION_LIFETIME_DAYS", "30")),
    "EXECUTION_RETENTION_DAYS": float(os.environ.get("STUDIO_EXECUTION_RETENTION_DAYS", "30")),
    "PURGE_INTERVAL_SECONDS": float(os.environ.get("STUDIO_PURGE_INTERVAL_SECONDS", "3600")),
    "ALLOWED_HTTP_HOSTS": env_list("STUDIO_ALLOWED_HTTP_HOSTS"),
    "PROVIDER": os.environ.get("STUDIO_PROVIDER", "simulator"),
    # Inbound events per batch, and how many worker processes may drain a backlog at once
    # (keep it below the Celery worker's concurrency: the others run dispatches and sweeps).
    "INBOUND_BATCH": int(os.environ.get("STUDIO_INBOUND_BATCH", "250")),
    "INBOUND_DRAINERS": int(os.environ.get("STUDIO_INBOUND_DRAINERS", "3")),
    # Limits (accounts.limits, README "Limits"): "N/Ts" is N per T seconds. Requests per account
    # answer 429 (code 20429) past their rate; failed credentials lock a user or an address out.
    "API_RATE_LIMIT": os.environ.get("STUDIO_API_RATE_LIMIT", "2000/10s"),
    "WEBHOOK_RATE_LIMIT": os.environ.get("STUDIO_WEBHOOK_RATE_LIMIT", "20000/10s"),  # per web process
    "LOGIN_FAILURES_PER_USER": os.environ.get("STUDIO_LOGIN_FAILURES_PER_USER", "5/900s"),
    "LOGIN_FAILURES_PER_ADDRESS": os.environ.get("STUDIO_LOGIN_FAILURES_PER_ADDRESS", "20/900s"),
    "API_AUTH_FAILURES_PER_ADDRESS": os.environ.get("STUDIO_API_AUTH_FAILURES_PER_ADDRESS", "30/300s"),
    # Proxies in front that append to X-Forwarded-For (the addresses the limits count).
    "PROXY_COUNT": int(os.environ.get("STUDIO_PROXY_COUNT", "0")),
    # A call's execution kept in Redis between turns, written after the answer (issue 17).
    "VOICE_HOT_CALLS": env_bool("STUDIO_VOICE_HOT_CALLS", bool(REDIS_URL) and not TESTING_PROCESS),
    # Send to Flex creates TaskRouter tasks through this factory (flex/gateway.py).
    "FLEX_GATEWAY": os.environ.get("STUDIO_FLEX_GATEWAY", "flex.gateway.gateway"),
    # Run Function widgets naming a function deployed here run it in-process (serverless/).
    "FUNCTION_HOST": "serverless.gateway.FunctionHost",
    "CONVERSATION_HOST": "conversations.host.ConversationHost",
}

# Functions & Assets (serverless/): where versions, builds and the npm cache live, and the
# optional host name under which each environment answers as {label}.{domain}.
SERVERLESS = {
    "ROOT": os.environ.get("SERVERLESS_ROOT") or BASE_DIR / "var" / "serverless",
    "FUNCTIONS_DOMAIN": os.environ.get("SERVERLESS_FUNCTIONS_DOMAIN", ""),
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,
}

# Flex (flex/): new accounts get Flex's workspace and default flows (off in tests: they build
# their own).
FLEX_SEED_NEW_ACCOUNTS = env_bool("FLEX_SEED_NEW_ACCOUNTS", not TESTING)

# Logs: one JSON object per line with the request, account, flow and execution sids
# (accounts.logcontext) by default in production mode; text when DJANGO_DEBUG=true. LOG_FORMAT
# (json or text) chooses either way.
# /metrics (ops.metrics) answers only with "Authorization: Bearer $METRICS_TOKEN"; unset: 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "WARNING" if TESTING else "INFO"))
