"""Django's model backend, reading a staff member's profile (time zone, hub) with their account.

Every desk page needs the reader's time zone (desk.middleware); loading the
profile in the same query as the user keeps that free. Every desk page also asks
what its reader may do: the permissions (two queries) are kept per process under
the desk lists' version, which every change of a person, a role or a permission
moves on (tickets.queues.lists). Login and passwords are Django's own, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from tickets.queues.lists import lists_memo

# The user's profile and its hub, joined (a missing profile is remembered as missing).
WITH_PROFILE = ("staff_profile__hub",)


class StaffProfileBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related(*WITH_PROFILE).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = await model._default_manager.select_related(*WITH_PROFILE).aget(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not hasattr(user_obj, "_perm_cache")
        ):
            kept = lists_memo.get(
                ("permissions", user_obj.pk),
                lambda: frozenset(super(StaffProfileBackend, self).get_all_permissions(user_obj)),
            )
            user_obj._perm_cache = set(kept)  # the request's own copy, as ModelBackend keeps it
        return super().get_all_permissions(user_obj, obj)
