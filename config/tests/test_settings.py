"""Settings fail loudly: each case starts a fresh interpreter with a chosen environment."""

import os
import subprocess
import sys

from django.conf import settings

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)"  # noqa: E501


def run(settings_module, code=CHECK, **env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL", "CELERY_")
        )
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def test_local_settings_run_on_sqlite_with_tasks_in_process():
    result = run("config.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True"]


def test_without_debug_a_secret_key_is_required():
    result = run("config.settings.local", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_its_variables():
    result = run("config.settings.production", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr or "DATABASE_URL" in result.stderr


def test_production_starts_with_them_and_a_broker_makes_tasks_run_in_a_worker():
    result = run(
        "config.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="medborgarloften.example.se",
        DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/medborgarloften",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "False"]


def test_production_keeps_the_connection_settings_of_every_environment():
    result = run(
        "config.settings.production",
        code="import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['OPTIONS']['connect_timeout'], d['CONN_HEALTH_CHECKS'], d['CONN_MAX_AGE'])",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="medborgarloften.example.se",
        DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/medborgarloften",
        DATABASE_CONNECT_TIMEOUT="7",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "True", "60"]


def test_a_malformed_boolean_stops_start_up():
    result = run("config.settings.local", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_the_language_is_swedish_and_the_time_stockholms():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert [code for code, _name in settings.LANGUAGES] == ["sv", "en"]
