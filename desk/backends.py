"""Django's model backend, reading a staff member's profile (time zone, hub) with their account.

Every desk page needs the reader's time zone (desk.middleware); loading the
profile in the same query as the user keeps that free. Login, passwords and
permissions are Django's own, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

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
