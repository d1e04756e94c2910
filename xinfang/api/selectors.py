"""Reading tokens and machine accounts, for their pages. The API's own reads go through the
other apps' selectors (``cases.selectors``, ``oversight.selectors`` …), as the pages do."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from xinfang.access import rules
from xinfang.access.policy import MACHINE_ROLES
from xinfang.accounts.models import Unit, User
from xinfang.api.actions import MANAGE
from xinfang.api.models import ApiToken


def own_tokens(user) -> QuerySet[ApiToken]:
    """The user's personal tokens, newest first (revoked and expired ones too, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_own_token(request, pk) -> ApiToken:
    """One of the user's own tokens, or a logged refusal (a 404 page)."""
    token = own_tokens(request.user).filter(pk=pk).first() if str(pk).isdigit() else None
    if token is None:
        raise rules.refuse(request.user, "use_api", target_type="api.ApiToken", target_id=pk, request=request)
    return token


def machine_accounts(user) -> QuerySet[User]:
    """The machine accounts bureau staff keep (``manage_api_accounts``), with their tokens."""
    if not rules.can(user, MANAGE):
        return User.objects.none()
    tokens = Prefetch("api_tokens", queryset=ApiToken.objects.order_by("-created_at", "-id"))
    return (
        User.objects.filter(role__in=MACHINE_ROLES)
        .select_related("unit")
        .prefetch_related(tokens)
        .order_by("-is_active", "unit__sort_order", "id")
    )


def get_machine_for(request, pk) -> User:
    account = machine_accounts(request.user).filter(pk=pk).first() if str(pk).isdigit() else None
    if account is None:
        raise rules.refuse(request.user, MANAGE, target_type="accounts.User", target_id=pk, request=request)
    return account


def get_machine_token_for(request, pk) -> ApiToken:
    token = (
        ApiToken.objects.filter(pk=pk, user__role__in=MACHINE_ROLES).select_related("user").first()
        if str(pk).isdigit() and rules.can(request.user, MANAGE)
        else None
    )
    if token is None:
        raise rules.refuse(request.user, MANAGE, target_type="api.ApiToken", target_id=pk, request=request)
    return token


def machine_units() -> QuerySet[Unit]:
    return Unit.objects.filter(active=True).order_by("sort_order", "id")
