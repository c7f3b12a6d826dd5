"""API tokens in the back office: managers create them (seen once) and revoke them.

The token's plaintext is shown on the page that answers the creation, and never
again: it is not put in a message (messages may travel in a cookie) nor kept
anywhere. The page is not cached. Every other field is read-only; a token is
changed by revoking it and creating another.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken
from api.scopes import SCOPES
from api.tokens import default_expiry, token_create, token_revoke, validate_token

MANAGE = "api.manage_tokens"


class TokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.SplitDateTimeField(
        label=_("expires"), initial=default_expiry, widget=widgets.AdminSplitDateTime
    )

    class Meta:
        model = ApiToken
        fields = ["name", "owner", "scopes", "expires_at"]
        help_texts = {
            "owner": _(
                "The token acts as this person, with their role: it can do whatever they can "
                "(within its scopes); demoting or deactivating them narrows or stops it at "
                "once. Every change it makes shows in the ticket's history as theirs via this "
                "token, e.g. Amina Odhiambo via API token “Flow sync”. Choose the person "
                "accountable for the integration."
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner, scopes, expires_at = (data.get(f) for f in ("owner", "scopes", "expires_at"))
        if owner and scopes and expires_at:
            try:
                validate_token(owner=owner, scopes=list(scopes), expires_at=expires_at)
            except forms.ValidationError as refused:
                self.add_error(None, refused)
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = TokenForm
    list_display = [
        "name",
        "prefix",
        "scope_list",
        "owner",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__username"]
    list_select_related = ["owner"]
    actions = ["revoke"]
    readonly_fields = [
        "name",
        "owner",
        "prefix",
        "scope_list",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else TokenForm.Meta.fields

    @admin.display(description=_("scopes"))
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    def _manages(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request) and obj is None  # the list, for the revoke action

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, kept: who had access and when stays on record

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        created = token_create(
            name=obj.name,
            owner=obj.owner,
            scopes=list(form.cleaned_data["scopes"]),
            expires_at=obj.expires_at,
            by=cast(User, request.user),
        )
        obj.__dict__.update(created.token.__dict__)
        obj._plaintext = created.plaintext  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: Any = None
    ) -> HttpResponse:
        response = TemplateResponse(
            request,
            "admin/api/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "plaintext": obj._plaintext,  # type: ignore[attr-defined]
                "title": _("API token created"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token_revoke(token=token, by=cast(User, request.user))
        self.message_user(
            request,
            ngettext("%d token revoked.", "%d tokens revoked.", len(tokens)) % len(tokens),
            messages.SUCCESS,
        )
