"""Database sessions that are written when they change, not on every request (``SESSION_ENGINE``).

``SESSION_SAVE_EVERY_REQUEST`` makes Django save the session after every request so that the idle timeout
(``SESSION_COOKIE_AGE``, 30 minutes) starts again: an UPDATE in a transaction of its own on every page. This
store skips that write while the stored expiry is less than ``EXPIRY_SLACK`` behind the one the write would
store, i.e. within a minute of the last write. A session whose data changed is always written. The price:
the stored expiry may lag the last request by up to a minute, so 30 idle minutes end a session after 29–30.
"""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

EXPIRY_SLACK = timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    _stored_expiry = None  # the expire_date of the row that was read, when one was

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self._stored_expiry = session.expire_date if session else None
        return session

    async def _aget_session_from_db(self):
        session = await super()._aget_session_from_db()
        self._stored_expiry = session.expire_date if session else None
        return session

    def _is_fresh(self, must_create):
        """Whether the stored row already holds this session's data and an expiry close enough to a new one."""
        return (
            not must_create
            and not self.modified
            and self.session_key is not None
            and self._stored_expiry is not None
            and self.get_expiry_date() - self._stored_expiry < EXPIRY_SLACK
        )

    def save(self, must_create=False):
        if not self._is_fresh(must_create):
            super().save(must_create=must_create)

    async def asave(self, must_create=False):
        if not self._is_fresh(must_create):
            await super().asave(must_create=must_create)
