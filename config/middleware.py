import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

logger = logging.getLogger(__name__)

# The errors of a database that cannot be reached or dropped the connection (restart, failover, network):
# not a bug in a view, and over by themselves.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (settings.PERMISSIONS_POLICY) on every answer, static files and
    the 503 page included: no page of ours uses a camera, a microphone, the position or payments, so a
    script that got in (or a page framing ours) cannot ask for them either. Django has no setting for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class SwedishFirstLocaleMiddleware:
    """Swedish unless the visitor chose another language (the language cookie set by /i18n/setlang/).

    Django's LocaleMiddleware would follow the browser's Accept-Language and show a Swedish
    municipality's page in English to anyone with an English browser; a Swedish public service
    speaks Swedish first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, answer 503 "temporarily unavailable, try again" with Retry-After
    instead of the 500 page, and log one line instead of a traceback.

    Nothing needs restarting afterwards: a failed connection is closed at the end of its request and
    CONN_HEALTH_CHECKS makes the next request check a kept one before use (config/settings/base.py).

    Errors in a view or its template reach ``process_exception``. An error raised in another middleware has
    already been turned into a response by Django before it comes back here: a 500 (the two-factor middleware
    reading the user), or a 400 from SessionMiddleware, which reports any database error while saving the
    session as "session interrupted". So this middleware sits outside SessionMiddleware (and inside those that
    add the security headers, which the 503 then gets too), and replaces such a 400 or 500 when a database
    error happened during the request and the connection no longer works.

    The page is rendered without the request: its context processors (the user, the messages) would query
    the database that just failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (400, 500) and (
            getattr(request, "database_unavailable", False) or _database_failed()
        ):
            logger.warning(
                "Database unavailable, answered 503 instead of %s to %s %s",
                response.status_code,
                request.method,
                request.path,
            )
            return database_unavailable_response()
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning("Database unavailable, answered 503 to %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response()


def _note_database_error(sender, request=None, **kwargs):
    """got_request_exception: remember that an error turned into a 500 inside another middleware was the
    database's. The connection may work again by the time the response comes back here (a quick restart),
    so its state alone cannot tell."""
    error = sys.exc_info()[1]
    while error is not None:
        if isinstance(error, DATABASE_UNAVAILABLE):
            if request is not None:
                request.database_unavailable = True
            return
        error = error.__cause__ or error.__context__


got_request_exception.connect(_note_database_error, dispatch_uid="config-middleware-database-unavailable")


def _database_failed():
    """Whether a connection had an error in this request (errors_occurred: Django's own flag, reset by every
    commit or rollback that works) and does not work now. Runs a query only on that error path."""
    return any(
        connection.errors_occurred and not connection.is_usable()
        for connection in connections.all(initialized_only=True)
    )


def database_unavailable_response():
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # a proxy must not keep serving the outage once it is over
    return response
