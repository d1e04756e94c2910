"""Settings of the bare project: Django's defaults from ``startproject``, DEBUG off, the database
from BARE_DATABASE_URL (PostgreSQL) or a SQLite file in BARE_DATA_DIR, its connection kept
between requests as the platform keeps its own."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

DATA_DIR = Path(
    os.environ.get("BARE_DATA_DIR", Path(__file__).resolve().parent.parent / ".cache" / "web-bare")
)
SECRET_KEY = "bench-only-not-a-secret"  # noqa: S105 - a benchmark's throwaway project on loopback
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "web_bare",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "web_bare.urls"
WSGI_APPLICATION = "web_bare.wsgi.application"
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
            ],
        },
    },
]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BARE_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'bare.sqlite3'}",
        # As the platform keeps its connections (XINFANG_DB_CONN_MAX_AGE): a like-for-like baseline,
        # not one that pays a PostgreSQL backend start per request.
        conn_max_age=int(os.environ.get("BARE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOGIN_URL = "/login/"
