"""Django settings. Everything that differs between machines comes from the environment (config.env)."""

from __future__ import annotations

import os
import sys

from config.env import BASE_DIR, database_from_url, env_bool, env_list

SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-insecure-secret-key-change-me-in-production-0123456789"
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL, *env_list("CSRF_TRUSTED_ORIGINS")]
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

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
    "accounts",
    "scenarios",  # before studio: its `flows` command (studio's plus `test`) is the one run
    "studio",
    "executions",
    "serverless",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Requests to {environment}.{SERVERLESS_FUNCTIONS_DOMAIN} are the functions gateway's.
    "serverless.serving.FunctionsHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
        "rest_framework.parsers.JSONParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "accounts.errors.twilio_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Studio API",
    "DESCRIPTION": "Twilio-compatible Studio v2 API and the console API used by the canvas.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Channels: Redis when configured, in-memory otherwise (embedded mode, one process).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
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
}

# Studio limits and tunables: defaults and their meaning in studio/conf.py (read through
# ``studio.conf.studio_settings``); only what the environment sets is given here.
STUDIO = {
    "EXECUTION_LIFETIME_DAYS": int(os.environ.get("STUDIO_EXECUTION_LIFETIME_DAYS", "30")),
    "ALLOWED_HTTP_HOSTS": env_list("STUDIO_ALLOWED_HTTP_HOSTS"),
    "PROVIDER": os.environ.get("STUDIO_PROVIDER", "simulator"),
    # Inbound events per batch, and how many worker processes may drain a backlog at once
    # (keep it below the Celery worker's concurrency: the others run dispatches and sweeps).
    "INBOUND_BATCH": int(os.environ.get("STUDIO_INBOUND_BATCH", "250")),
    "INBOUND_DRAINERS": int(os.environ.get("STUDIO_INBOUND_DRAINERS", "3")),
    # Run Function widgets naming a function deployed here run it in-process (serverless/).
    "FUNCTION_HOST": "serverless.gateway.FunctionHost",
}

# Functions & Assets (serverless/): where versions, builds and the npm cache live, and the
# optional host name under which each environment answers as {label}.{domain}.
SERVERLESS = {
    "ROOT": os.environ.get("SERVERLESS_ROOT") or BASE_DIR / "var" / "serverless",
    "FUNCTIONS_DOMAIN": os.environ.get("SERVERLESS_FUNCTIONS_DOMAIN", ""),
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
}
