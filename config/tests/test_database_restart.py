"""PostgreSQL restarted, or stopped for a while, under load: every request either succeeds or gets a clean
503 page ("tillfälligt otillgänglig, försök igen" with Retry-After), none hangs, and once the database is back
the same gunicorn serves every page again within seconds, without being restarted.

The machine's PostgreSQL server is shared, so this test makes a private cluster of its own (initdb in a
temporary folder, its own port) and restarts only that one. gunicorn runs the test settings on it with the
cache off (every request reaches the database) and CONN_MAX_AGE=60 as in production, so that a kept connection
broken by the restart has to be noticed by the health check (CONN_HEALTH_CHECKS) and replaced.

Below it, the same failure one request at a time through the test client, at each place it can strike: in a
view, and in the session save after the view (which Django would answer with a 400).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.urls import include
from django.urls import path as url_path

from municipalities.tests.factories import UserFactory
from pledges.models import Pledge

POSTGRES_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
PG_BIN = POSTGRES_BINARIES[-1] if POSTGRES_BINARIES else None
REQUEST_TIMEOUT = 10  # seconds; a request still waiting after this counts as hung
RECOVERY_SECONDS = 2  # every request started this long after the server accepts connections again must succeed

needs_postgres_binaries = pytest.mark.skipif(
    PG_BIN is None or not (PG_BIN / "initdb").exists(),
    reason="the PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin) are not installed",
)

# Run by `manage.py shell` in the private database: a public pledge and a logged-in member of its municipality.
SEED = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from pledges.tests.public_data import published_pledge
from pledges.tests.staff_data import member

pledge = published_pledge("2417")
user = member("kommunpolis", "2417", username="kim")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"pledge": pledge.pk, "session": session.session_key}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, **options):
    """Run a command; if it fails, fail with what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **options)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder, run as the postgres user (initdb refuses root)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/medborgarloften"

    def _run(self, *command):
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        run(command)

    def pg_ctl(self, *args):
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w", *args)

    def create(self):
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        # In its configuration file rather than on pg_ctl's command line, so that every start keeps to this port.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nunix_socket_directories = '{self.folder}'\n"
                "listen_addresses = '127.0.0.1'\nfsync = off\n"
            )
        self.pg_ctl("start")
        self._run(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "medborgarloften"
        )

    def destroy(self):
        with contextlib.suppress(subprocess.SubprocessError):
            self.pg_ctl("-m", "immediate", "stop")


@pytest.fixture
def cluster():
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser, so initdb cannot run as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="mbl-pg-"))  # short: the server's Unix socket lives here
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = PrivateCluster(folder)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def app(cluster):
    """gunicorn (2 workers) on the private cluster, migrated and seeded; yields its address and what to load."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "CELERY_", "CACHE"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": cluster.url,
        "CONN_MAX_AGE": "60",
        "CACHE_DISABLED": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--no-input", "-v0"], cwd=settings.BASE_DIR, env=env)
    run([*manage, "load_reference_data"], cwd=settings.BASE_DIR, env=env)
    seeded = json.loads(run([*manage, "shell", "-c", SEED], cwd=settings.BASE_DIR, env=env).strip().splitlines()[-1])

    port = free_port()
    log = cluster.folder / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5"]
    with open(log, "w") as output:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            with contextlib.suppress(requests.ConnectionError):
                requests.get(base + "/tillganglighet/", timeout=REQUEST_TIMEOUT)
                break
            time.sleep(0.2)
        yield {
            "base": base,
            "log": log,
            "addresses": [
                ("/", None),
                ("/kommuner/2417/", None),
                (f"/medborgarloften/{seeded['pledge']}/", None),
                ("/api/v1/pledges/", None),
                ("/hantera/", seeded["session"]),  # the staff dashboard of a logged-in kommunpolis
            ],
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(base, path, session_key):
    """(status, failure) of one request: failure is None for a 200 or a clean 503 page, else what was wrong."""
    cookies = {"sessionid": session_key} if session_key else {}
    try:
        response = requests.get(base + path, cookies=cookies, timeout=REQUEST_TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return None, f"{path}: no answer ({exc.__class__.__name__}: {exc})"
    if response.status_code == 200:
        return 200, None
    if response.status_code == 503:
        text = response.text.lower()
        if "tillfälligt otillgänglig" in text and "försök igen" in text and response.headers.get("Retry-After"):
            return 503, None
        return 503, f"{path}: a 503 without the Swedish page or Retry-After: {response.text[:300]!r}"
    return response.status_code, f"{path}: {response.status_code} {response.text[:300]!r}"


class Load:
    """A few threads requesting every address in turn; each result is (started, finished, path, status, failure)."""

    def __init__(self, app, threads=3):
        self.app = app
        self.results = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, offset):
        addresses = self.app["addresses"]
        n = offset
        while not self.stopping.is_set():
            path, session_key = addresses[n % len(addresses)]
            started = time.monotonic()
            status, failure = fetch(self.app["base"], path, session_key)
            self.results.append((started, time.monotonic(), path, status, failure))
            n += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)

    def between(self, start, end):
        """The results of the requests started at or after start and finished before end."""
        return [r for r in self.results if r[0] >= start and r[1] < end]


def statuses(results):
    return {status for _started, _finished, _path, status, _failure in results}


@needs_postgres_binaries
def test_a_database_restart_and_outage_give_clean_503s_and_the_app_recovers_by_itself(cluster, app):
    for path, session_key in app["addresses"] * 2:  # both workers, with their connections open
        assert fetch(app["base"], path, session_key) == (200, None), path

    with Load(app) as load:
        time.sleep(1)
        cluster.pg_ctl("-m", "fast", "restart")  # cuts every open connection
        restarted = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 1.5)
        stopping = time.monotonic()
        cluster.pg_ctl("-m", "fast", "stop")
        stopped = time.monotonic()
        time.sleep(3)
        starting = time.monotonic()
        cluster.pg_ctl("start")
        started = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 1.5)
        end = time.monotonic()

    log = app["log"].read_text()
    failures = [r[4] for r in load.results if r[4] is not None]
    assert not failures, f"{len(failures)} bad answers, e.g. {failures[:5]}\ngunicorn log:\n{log[-3000:]}"
    assert all(finished - begun < REQUEST_TIMEOUT for begun, finished, *_rest in load.results)

    # While the server was down, every kind of page said so (the outage was really seen).
    down = load.between(stopped, starting)
    assert statuses(down) == {503}
    assert {r[2] for r in down} == {path for path, _session in app["addresses"]}
    assert "Database unavailable, answered 503" in log

    # Soon after the restart, and after the start, every request was served again by the same gunicorn.
    assert statuses(load.between(restarted + RECOVERY_SECONDS, stopping)) == {200}
    assert statuses(load.between(started + RECOVERY_SECONDS, end)) == {200}
    for path, session_key in app["addresses"]:
        assert fetch(app["base"], path, session_key) == (200, None), path


# The same failures one at a time, in this process: views whose own connection the server ends
# (pg_terminate_backend, as a restart does), served through every middleware by the test client.


def _lose_the_connection():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    except OperationalError:
        pass


def _query_after_the_server_went_away(request):
    _lose_the_connection()
    return HttpResponse(str(Pledge.objects.count()))


def _answer_after_the_server_went_away(request):
    assert request.user.is_authenticated  # the session and the user are read while the server is there
    request.session["answered"] = True  # only a changed session is written after every request (accounts/sessions.py)
    _lose_the_connection()
    return HttpResponse("ok")  # then SessionMiddleware saves the session and fails


def _bad_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM pledges_pledge")
    return HttpResponse("unreachable")


urlpatterns = [
    url_path("query/", _query_after_the_server_went_away),
    url_path("answer/", _answer_after_the_server_went_away),
    url_path("bug/", _bad_query),
    url_path("", include("config.urls")),  # the pages and addresses the middleware and 503.html name
]


@pytest.fixture
def lost_connection():
    """Drop the connection the server ended, as Django does at the end of a request (which its test client
    leaves undone), so that the test's tear-down gets a new one."""
    yield
    connection.close()


def assert_clean_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Tillfälligt otillgänglig" in response.text and "Försök igen om en stund" in response.text
    assert "Traceback" not in response.text


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_view_that_loses_the_database_answers_503(client, caplog, lost_connection):
    assert_clean_503(client.get("/query/"))
    assert "Database unavailable, answered 503 to GET /query/" in caplog.text


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_session_that_cannot_be_saved_answers_503_not_400(client, caplog, lost_connection):
    client.force_login(UserFactory())
    # Django reports a failed session save as "session interrupted", a 400 Bad Request.
    assert_clean_503(client.get("/answer/"))
    assert "answered 503 instead of 400 to GET /answer/" in caplog.text


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)  # autocommit, as in production: the connection outlives the error
def test_a_bug_in_a_query_is_still_a_500(client):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response


class _DatabaseGoneInAMiddleware:
    """Stands for the two-factor middleware reading the user while the server is down: Django turns the error
    into a 500 before it comes back out, and by then the server may be up again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/hantera/":
            raise OperationalError("connection failed: Connection refused")
        return self.get_response(request)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_another_middleware_is_a_503_even_when_the_server_is_back(client, settings):
    client.raise_request_exception = False
    position = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        f"{__name__}._DatabaseGoneInAMiddleware",
        *settings.MIDDLEWARE[position:],
    ]
    assert connection.is_usable() or connection.connection is None  # the server answers: only the error tells
    assert_clean_503(client.get("/hantera/"))
