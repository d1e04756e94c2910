"""How a session finds its user: Django's model backend (passwords checked as it does), with the
user's unit read in the same query. Every page asks for ``user.unit`` (the header, the scoping
of what the user may see), which would otherwise cost a query of its own on each request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
