"""Login and registration limits, on top of django-axes' lockout of one (username, address) pair."""

from __future__ import annotations

from accounts.lockout import login_username
from kernel.throttles import PerAddressThrottle


class LoginUsernameThrottle(PerAddressThrottle):
    """Attempts on one username from any address (a distributed guess at one account)."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = login_username(request)
        return self.key_for(username) if username else None


class LoginAddressThrottle(PerAddressThrottle):
    """Attempts from one address on any username (one machine trying many accounts)."""

    scope = "login_address"


class RegisterThrottle(PerAddressThrottle):
    scope = "register"


LOGIN_THROTTLES = (LoginUsernameThrottle, LoginAddressThrottle)
