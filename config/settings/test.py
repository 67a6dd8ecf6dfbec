"""Tests: real PostgreSQL by default (DATABASE_URL overrides), fast hashing, mail kept in memory."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/medborgarloften")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# One folder per pytest-xdist worker, so that two workers never see or delete each other's files.
MEDIA_ROOT = BASE_DIR / ".test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
# Serve static files from the app folders, as in development: tests need no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A signing certificate per test process (pytest-xdist runs two), made by the session fixture.
SIGNING_P12_PASSPHRASE = "test-passphrase"
SIGNING_P12_PATH = BASE_DIR / "var" / "test-signing" / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.p12"  # noqa: F405
