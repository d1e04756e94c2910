"""Role checks for views. Case access itself goes through ``cases.selectors``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from xinfang.accounts.models import Role
from xinfang.audit.actions import refuse


def role_required(*roles: Role):
    """Only these roles; anyone else gets the same 404 as for a missing page, and a log row."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise refuse(request, target_type="view", target_id=request.resolver_match.view_name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
