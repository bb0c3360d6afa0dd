"""All settings in one module, read from the environment (and an optional .env file).

Nothing here keeps per-process state: sessions, cache and scheduled-work leases live in the
database so that several application servers can share one PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _read_dotenv(path: Path) -> None:
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_read_dotenv(Path.cwd() / ".env")


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"SHUFANG_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "shufang-data"))).resolve()

# The demo secret is refused by `check --deploy` (see core.checks).
DEMO_SECRET_KEY = "shufang-demo-insecure-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Key for the national ID numbers (Fernet keys, comma separated, newest first, for rotation)
# and for their look-up hash. Derived from SECRET_KEY when unset (demo and tests only).
ID_ENCRYPTION_KEYS = env("ID_ENCRYPTION_KEYS", "")
ID_HASH_KEY = env("ID_HASH_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shufang.core",
    "shufang.network",
    "shufang.catalogue",
    "shufang.readers",
    "shufang.circulation",
    "shufang.sip2",
    "shufang.acquisitions",
    "shufang.serials",
    "shufang.programmes",
    "shufang.outreach",
    "shufang.operations",
    "shufang.statistics",
    "shufang.web",
    "shufang.api",
    "shufang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shufang.core.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shufang.config.urls"
WSGI_APPLICATION = "shufang.config.wsgi.application"

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
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL", "")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not url:
        url = f"sqlite:///{DATA_DIR / 'shufang.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at BEGIN so
        # concurrent writers queue on the busy timeout instead of failing with "locked".
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                # checkpoint the WAL every ~40 MB instead of every 4 MB: automatic
                # checkpoints stall the committing request (the p99 of checkout); a
                # scheduled job (core.sqlite_checkpoint) checkpoints passively instead
                "PRAGMA wal_autocheckpoint=10000; PRAGMA cache_size=-65536;"
            ),
        }
        # Tests use a file, not shared-cache memory: concurrency tests need real WAL locking.
        config["TEST"] = {
            "NAME": env("TEST_SQLITE_NAME", "") or str(DATA_DIR / f"test-{os.getpid()}.sqlite3")
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shufang_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

LANGUAGE_CODE = env("LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Circulation: loan history is anonymised this many days after return unless the reader keeps
# it; notices (see docs/notices.md) go out this many days before a due date / hold shelf expiry.
LOAN_HISTORY_DAYS = int(env("LOAN_HISTORY_DAYS", "30"))
NOTICE_DUE_SOON_DAYS = int(env("NOTICE_DUE_SOON_DAYS", "3"))
NOTICE_HOLD_EXPIRING_DAYS = int(env("NOTICE_HOLD_EXPIRING_DAYS", "1"))
NOTICE_FROM_EMAIL = env("NOTICE_FROM_EMAIL", "noreply@shufang.invalid")
NOTICE_CHANNELS = {
    "wechat": env("NOTICE_WECHAT_ADAPTER", "shufang.circulation.channels.LoggingWeChatChannel"),
    "sms": env("NOTICE_SMS_ADAPTER", "shufang.circulation.channels.LoggingSmsChannel"),
    "email": env("NOTICE_EMAIL_ADAPTER", "shufang.circulation.channels.EmailChannel"),
}
NOTICE_WECHAT_TEMPLATE_ID = env("NOTICE_WECHAT_TEMPLATE_ID", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
