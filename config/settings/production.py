"""Production: PostgreSQL, Redis, a Celery worker and beat behind gunicorn.

Everything that must not default is required here, so a missing variable stops start-up.

Behind a reverse proxy, two variables say what the proxy does; neither is assumed, because trusting a header
that no proxy overwrites lets any client forge it:

- ``PROXY_TERMINATES_TLS=true``: the proxy speaks HTTPS to the browser and plain HTTP to gunicorn, and sets
  ``X-Forwarded-Proto: https`` on every request (overwriting any the client sent). Only then is
  ``SECURE_PROXY_SSL_HEADER`` set, so that Django sees the request as secure. Leave it unset when gunicorn
  itself serves HTTPS. Behind a TLS-terminating proxy without it, ``SECURE_SSL_REDIRECT`` (on by default)
  would redirect every request to https again, endlessly: set one of the two.
- ``TRUSTED_PROXY_COUNT=N`` (config/settings/base.py): the number of proxies that append to
  ``X-Forwarded-For``; the audit trail and django-axes then take the client's address from that header
  (accounts.audit.client_address). 0, the default, uses the connection's address only.
"""

import os

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: F403
from .base import env, env_bool

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production")  # noqa: F405

SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
env.str("DATABASE_URL")  # required here (base.py builds the connection from it, with its health checks and timeout)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

if env_bool("PROXY_TERMINATES_TLS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)  # allows, not makes, a preload-list entry
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
