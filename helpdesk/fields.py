"""Model fields the apps share."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def staff_reference(verbose_name: Any, **extra: Any) -> models.ForeignKey:
    """Who did something (logged, edited, escalated): kept as empty when the user is deleted.

    No reverse accessor: a user's history is read from the rows, never from the user.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **extra,
    )
