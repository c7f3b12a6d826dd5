"""API tokens for integrations, and the stored answers of idempotent creates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 11  # "hd_" and 8 random characters: shown in lists, used to look a token up


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for an integration, acting as its owner within its scopes.

    Only a SHA-256 of the token is kept: the token is 32 random bytes, so a
    fast hash is as safe as a slow one (there is nothing to guess by brute
    force) and costs nothing per request. The plaintext is shown once, when it
    is created (api.tokens.token_create).
    """

    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it, e.g. Flow."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
        limit_choices_to={"is_staff": True},
        help_text=_("The staff member the token acts as; it never does more than they may."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        permissions = [("manage_tokens", _("Can create and revoke API tokens"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one caller: the request it came with and its answer.

    ``status`` is empty while the first request is still being answered, so a
    concurrent duplicate is refused rather than run twice (api.idempotency).
    """

    caller = models.CharField(_("caller"), max_length=40)  # "token:12" or "user:3"
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("response status"), null=True)
    body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.caller}: {self.key}"
