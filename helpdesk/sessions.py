"""Database sessions, as Django's, without importing the serializer on every request.

``SessionBase.__init__`` resolves ``SESSION_SERIALIZER`` by import path each time a
session object is made, which is every request; it is resolved once here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils.module_loading import import_string


@cache
def _serializer(path: str) -> Any:
    return import_string(path)


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        self._session_key = session_key
        self.accessed = False
        self.modified = False
        self.serializer = _serializer(settings.SESSION_SERIALIZER)
