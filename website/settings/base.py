"""Settings shared by every environment.

Everything that differs between a laptop and production is read from the
environment here, in one place; dev.py and production.py only choose defaults.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_SITE_NAME = "WebSocket Reference"

INSTALLED_APPS = [
    # The first app's `runserver` wins: echo's is Daphne's (HTTP and WebSockets) with the
    # fixes the echo service needs (echo/devserver.py); Daphne's own comes next.
    "echo",
    "daphne",
    "website",
    "pagecache",
    "guides",
    "finder",
    "lab",
    "race",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.typed_table_block",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "website.middleware.SecurityHeadersMiddleware",
    "website.middleware.DatabaseUnavailableMiddleware",
    "website.static_files.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "website.middleware.KeptSiteMiddleware",
]

ROOT_URLCONF = "website.urls"
ASGI_APPLICATION = "website.asgi.application"
WSGI_APPLICATION = "website.wsgi.application"

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
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Local default: a SQLite file next to manage.py. DATABASE_URL switches engines.
# Requests run on a few kept threads (website/request_threads.py), each of which keeps its
# connection for DATABASE_CONN_MAX_AGE seconds, checked before each request's first query.
REQUEST_THREADS = env_int("REQUEST_THREADS", 8)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Live-server tests share the database with a server subprocess: it must be a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    # A transaction takes the write lock when it begins, so overlapping saves (Publish
    # as autosave fires) wait their turn instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: one subscription per room per process, fanned out locally; no
            # per-consumer polling of Redis (redis-py 8's pool of 100 connections ran out
            # at a thousand joins with the list-based layer), and subscriptions come back
            # by themselves after Redis restarts. Room messages are fire-and-forget.
            # echo.layers pipelines the publishes (channels-redis sends one at a time,
            # which was the rooms' latency tail: docs/rooms-performance.md).
            "BACKEND": "echo.layers.RedisPubSubPipelinedChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 10, "socket_connect_timeout": 2}
                ],
                "prefix": "wsref",
            },
        }
    }
    CACHES = {
        "default": {
            # Django's Redis cache, with one connection pool per process, not per request.
            "BACKEND": "website.cache.ProcessRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wsref",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Nothing from third-party hosts, in the admin either: no Gravatar avatars, and no
# fetch of releases.wagtail.org from editors' browsers (the CSP would block it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# The response cache (pagecache/): whole anonymous pages answered in the ASGI layer,
# before Django. Off while DEBUG is on, and without REDIS_URL unless this is the only
# server process (pagecache/mode.py). Per server process.
RESPONSE_CACHE = env_bool("RESPONSE_CACHE", True)
RESPONSE_CACHE_MAX_BYTES = env_int("RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
RESPONSE_CACHE_MAX_AGE = env_int("RESPONSE_CACHE_MAX_AGE", 600)
RESPONSE_CACHE_CHANNEL = os.environ.get("RESPONSE_CACHE_CHANNEL", "wsref:response-cache")


# The echo service's limits (echo/consumers.py); README "Echo service" explains each.
ECHO_MAX_MESSAGE_BYTES = env_int("ECHO_MAX_MESSAGE_BYTES", 64 * 1024)
ECHO_RATE_PER_SECOND = env_int("ECHO_RATE_PER_SECOND", 50)
ECHO_RATE_BURST = env_int("ECHO_RATE_BURST", 100)
ECHO_IDLE_TIMEOUT = env_int("ECHO_IDLE_TIMEOUT", 300)
ECHO_MAX_CONNECTIONS_PER_ADDRESS = env_int("ECHO_MAX_CONNECTIONS_PER_ADDRESS", 20)
# Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# The transport race's limits per visitor (docs/transport-race.md).
RACE_MAX_RATE = env_int("RACE_MAX_RATE", 20)
RACE_MAX_BYTES = env_int("RACE_MAX_BYTES", 4096)
RACE_MAX_SECONDS = env_int("RACE_MAX_SECONDS", 60)
RACE_MAX_PER_ADDRESS = env_int("RACE_MAX_PER_ADDRESS", 2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "website.storage.StaticFilesStorage"},
}
# Fingerprinted names (all the templates use) are immutable for ten years whatever this
# says; unfingerprinted names, linked from outside, are revalidated after an hour.
WHITENOISE_MAX_AGE = 60 * 60
# Files browsers and crawlers ask for at the site's root: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "website" / "root"

# Security headers. The CSP allows no inline script or style anywhere; the echo
# tester may connect to any ws:/wss: endpoint because that is its purpose.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# Wagtail's admin places its menus, tooltips and minimap with style attributes its own
# scripts write, which 'self' blocks. Its pages alone also allow inline styles; scripts
# stay 'self' there too.
ADMIN_PATH = "/admin/"  # where website/urls.py mounts the Wagtail admin
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "website.logging.PlainFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "website.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per event: Django's own "django" handler is dropped (its records reach the
    # console through the root), and a 4xx is logged by the server's access line alone
    # (runserver; nginx's access log in production), not again as django.request's
    # "Not Found". django.request still logs every 5xx with its traceback.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.channels.server": {"level": "WARNING"},
        # Daphne's startup notes repeat what runserver prints, and "HTTP/2 support not
        # enabled" reads like a missing dependency: HTTP/2 needs TLS, which development
        # does not use (nginx speaks HTTP/2 in production).
        "daphne": {"level": "WARNING"},
        # uvicorn's notes on each WebSocket connection (echo/wsprotocol.py); the consumers
        # log each connection once, when it closes.
        "uvicorn.websockets": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
