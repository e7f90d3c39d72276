"""Who may open a page: the guards that need the account roles (the kernel's page helpers know no app)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Role


def role_required(role: str) -> Callable:
    """Only signed-in users of `role` may open the page: staff decide in the admin, never act as an issuer."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs):
            if request.user.role != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator


issuer_required = role_required(Role.ISSUER)
investor_required = role_required(Role.INVESTOR)
