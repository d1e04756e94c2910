"""Settings, read from typed environment variables.

Policy (clocks, targets, categories, wording) lives in the database, not here.
Secrets come from the environment or from a ``*_FILE`` path; in development, when
none is given, they are generated once into the data directory (never the repo).

Variables:
    XINFANG_ENV             development (default), production or test
    XINFANG_DATA_DIR        where the SQLite file, private files and dev secrets live (default ./var)
    DATABASE_URL            default sqlite:///<data dir>/xinfang.sqlite3; postgres://… for PostgreSQL
    XINFANG_SECRET_KEY[_FILE]  Django's signing key
    XINFANG_DATA_KEY[_FILE]    32 random bytes, base64: the master key for personal data (the file:
                            one key per line, newest first); XINFANG_DATA_KEY_OLD: older keys
    XINFANG_CIPHER          aes-256-gcm (default) or sm4-gcm
    XINFANG_ALLOWED_HOSTS   comma-separated host names (production)
    XINFANG_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://xf.example.gov.cn
    XINFANG_SESSION_MAX_HOURS  a login lasts at most this long, however busy (default 12)
    XINFANG_LOGIN_ADDRESS_MAX_FAILURES / XINFANG_LOGIN_PLATFORM_MAX_FAILURES  login limits (20, 100)
    XINFANG_API_REQUESTS_PER_MINUTE  requests per minute for each API token (120)
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from xinfang.core import keyring

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"the package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


XINFANG_ENV = env_str("XINFANG_ENV", "development")
if XINFANG_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("XINFANG_ENV must be development, production or test")
PRODUCTION = XINFANG_ENV == "production"

DATA_DIR = Path(env_str("XINFANG_DATA_DIR") or PROJECT_DIR / "var").resolve()
PRIVATE_FILES_DIR = DATA_DIR / "files"


def private_dir(path: Path) -> Path:
    """A folder only the platform's user may enter (0700): it holds personal data or keys. Made so,
    or tightened if it is ours; a folder we may not write is left to fail where it is used."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
            path.chmod(0o700)
    except OSError:
        pass
    return path


def secret(name: str, generate) -> str:
    """A secret from NAME, from the file NAME_FILE, or (outside production) generated once."""
    value = env_str(name)
    if value:
        return value
    path = env_str(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} or {name}_FILE must be set in production")
    local = DATA_DIR / "secrets" / name.lower()
    if not local.exists():
        private_dir(DATA_DIR)
        private_dir(local.parent)
        fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(generate())
    return local.read_text().strip()


SECRET_KEY = secret("XINFANG_SECRET_KEY", lambda: secrets.token_urlsafe(50))

# --- The data keyring (see xinfang/core/keyring.py and xinfang/core/keys.py) ----------------------
# Newest key first: it encrypts; older ones only decrypt until `xinfang keys rotate` is done. In
# development without a key, one is generated at the first start, but only for an empty database.
_keyring = keyring.load(dict(os.environ), DATA_DIR, production=PRODUCTION)
DATA_KEY: bytes | None = _keyring.keys[0] if _keyring.keys else None
DATA_OLD_KEYS: tuple[bytes, ...] = _keyring.keys[1:]
DATA_KEY_SOURCE = _keyring.source
DATA_KEY_GENERATE_PATH = _keyring.generate_path
private_dir(DATA_DIR)
private_dir(PRIVATE_FILES_DIR)

DATA_CIPHER = env_str("XINFANG_CIPHER", "aes-256-gcm").lower()
if DATA_CIPHER not in {"aes-256-gcm", "sm4-gcm"}:
    raise ImproperlyConfigured("XINFANG_CIPHER must be aes-256-gcm or sm4-gcm")

DEBUG = env_bool("XINFANG_DEBUG", XINFANG_ENV == "development")
ALLOWED_HOSTS = env_list(
    "XINFANG_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("XINFANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "xinfang.core",
    "xinfang.access",
    "xinfang.accounts",
    "xinfang.audit",
    "xinfang.reference",
    "xinfang.cases",
    "xinfang.deadlines",
    "xinfang.notify",
    "xinfang.ratings",
    "xinfang.public",
    "xinfang.oversight",
    "xinfang.imports",  # the Excel 台账 kept before the platform, brought in
    "xinfang.figures",
    "xinfang.bulletins",
    "xinfang.privacy",  # retention of personal data, petitioners' requests (PIPL)
    "xinfang.ops",  # operations: xinfang serve, /healthz, backup and restore
    "xinfang.api",  # the JSON API (/api/v1/), its tokens and machine accounts
    "xinfang.demo",  # the demo data for 镇坪县 (xinfang demo), the top layer
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinfang.access.middleware.RefusalMiddleware",  # a refusal anywhere answers as a missing page
    "django.contrib.messages.middleware.MessageMiddleware",
    "xinfang.core.middleware.RequestEncodingMiddleware",  # before anything reads a form body
    "xinfang.accounts.middleware.LoginSessionMiddleware",  # whole logins only; absolute lifetime
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinfang.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

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
                "xinfang.core.context_processors.site",
                "xinfang.access.context_processors.may",
                "xinfang.notify.context_processors.notices",
                "xinfang.oversight.context_processors.urgent_reports",
            ],
        },
    },
]

# Django's form renderer, a <select> written without a template per option (core/form_renderer.py).
FORM_RENDERER = "xinfang.core.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'xinfang.sqlite3'}",
        # A worker keeps its connection between requests (a new one per page costs a PostgreSQL
        # backend start, or SQLite's open and pragmas), checked before it is reused.
        conn_max_age=env_int("XINFANG_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one agent writes; FULL makes a commit durable on power loss.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        # Take the write lock at BEGIN, so two writers queue instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests use a file, not memory: concurrency and at-rest checks need a real database file.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("XINFANG_TEST_DB") or str(DATA_DIR / "test-xinfang.sqlite3")
    }
    # The database file is the platform's user's alone (0600), created so before SQLite creates
    # it with the umask's mode; xinfang.core.apps keeps it (and -wal, -shm) so.
    _sqlite = Path(str(DATABASES["default"]["NAME"] or ":memory:"))
    if _sqlite.is_absolute() and _sqlite.parent.is_dir() and not _sqlite.exists():
        os.close(os.open(_sqlite, os.O_WRONLY | os.O_CREAT, 0o600))
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's model backend, the user read with their unit (xinfang/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["xinfang.accounts.backends.UserWithUnitBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Login and sessions (xinfang/accounts: login.py, throttle.py, middleware.py) ---------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
# 等保 登录失败处理: five failures in a row of one account from one address lock that pair
# (not the account everywhere) for 15 minutes.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15
# One address, whatever the accounts: this many failures within LOGIN_LOCK_MINUTES lock it.
# Behind a NAT that puts a whole county network on one address, raise it.
LOGIN_ADDRESS_MAX_FAILURES = env_int("XINFANG_LOGIN_ADDRESS_MAX_FAILURES", 20)
# The whole platform: past this many failures within the window, only addresses where the
# account logged in before (within LOGIN_KNOWN_PAIR_DAYS) are let in until the window ends.
LOGIN_PLATFORM_MAX_FAILURES = env_int("XINFANG_LOGIN_PLATFORM_MAX_FAILURES", 100)
LOGIN_PLATFORM_WINDOW_MINUTES = 60
LOGIN_KNOWN_PAIR_DAYS = 90
# One account failing from this many addresses within the window alerts its owner and the
# system administrators.
LOGIN_ALERT_ADDRESSES = 3
# Minutes a half-done login (password given, second factor not yet) waits.
LOGIN_PENDING_MINUTES = 10

# Sessions end after 30 idle minutes, and in any case SESSION_MAX_HOURS after the login.
# The idle limit is the session row's expiry, moved on when the session is saved: not on every
# request (a durable commit each time) but on the first request SESSION_RENEW_SECONDS or more
# after the last save (accounts.sessions.renew). A session therefore ends between
# SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS (29 minutes) and SESSION_COOKIE_AGE (30 minutes)
# after its last request: never later than 30 idle minutes, at most a minute earlier.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_SECONDS = 60
SESSION_MAX_HOURS = env_int("XINFANG_SESSION_MAX_HOURS", 12)
if SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("XINFANG_SESSION_MAX_HOURS must be at least 1")
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# --- end of login and sessions ---------------------------------------------------------------
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The app's own css and js, and django-ninja's Swagger UI files, served locally (/api/v1/docs).
# Ninja is not an installed app: importing it loads pydantic, a quarter of a second that every
# command would pay; its static folder is found without importing it.
STATICFILES_DIRS: list[Path] = [BASE_DIR / "static", _package_dir("ninja") / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Serving (xinfang serve, see xinfang/ops): `serve` collects the static files into STATIC_ROOT
# and whitenoise serves them. A monitor may ask for /healthz over plain HTTP on the local port;
# it answers 503 when the data directory's disk has less free space than this.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
HEALTHZ_MIN_FREE_MB = env_int("XINFANG_MIN_FREE_DISK_MB", 1024)
# The public address printed on contact cards and flyers (documented, read here).
XINFANG_PUBLIC_URL = env_str("XINFANG_PUBLIC_URL")

# Uploads: each file at most 10 MB (the provincial platform's limit); the body a little more.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("XINFANG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("XINFANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Personal data never reaches a log: no request bodies are logged, and errors go to stderr
# without local variables.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Behind a reverse proxy, the request header carrying the client's address, as Django sees it
# (e.g. HTTP_X_FORWARDED_FOR or HTTP_X_REAL_IP). Empty: REMOTE_ADDR.
CLIENT_IP_HEADER = env_str("XINFANG_CLIENT_IP_HEADER")
# The API (xinfang/api): requests per minute for each token, and the longest a token may last.
API_REQUESTS_PER_MINUTE = env_int("XINFANG_API_REQUESTS_PER_MINUTE", 120)
if API_REQUESTS_PER_MINUTE < 1:
    raise ImproperlyConfigured("XINFANG_API_REQUESTS_PER_MINUTE must be at least 1")
API_TOKEN_MAX_DAYS = 365
# Days after a case is closed before the petitioner's platform password is wiped.
XINFANG_PASSWORD_RETENTION_DAYS = env_int("XINFANG_PASSWORD_RETENTION_DAYS", 180)
# Where reminders go: the default keeps them in the outbox table shown to bureau staff.
XINFANG_SENDER = env_str("XINFANG_SENDER", "xinfang.notify.senders.OutboxSender")

SITE_TITLE = "网上投诉代理工作平台"
COUNTY_NAME = env_str("XINFANG_COUNTY_NAME", "镇坪县")
