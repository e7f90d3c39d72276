"""Rate limits (DRF throttles) shared by the API and the web pages.

A throttle's rate is `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]`, read at each request. Client addresses are
taken as DRF does (`NUM_PROXIES` decides how much of X-Forwarded-For to trust; by default none of it).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from kernel.errors import DomainError


class LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        # DRF copies the rates when it is imported; reading them here lets a changed setting take effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PerAddressThrottle(LiveRateThrottle):
    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))


class PerUserThrottle(LiveRateThrottle):
    """Per signed-in user; per address for anonymous requests."""

    def get_cache_key(self, request, view):
        user = request.user
        return self.key_for(user.pk if user.is_authenticated else self.get_ident(request))


def throttle_check(request: HttpRequest, *throttle_classes: type[SimpleRateThrottle]) -> None:
    """For web pages: count this request against each throttle, refusing with 429 `throttled` when one is spent."""
    throttles = [throttle_class() for throttle_class in throttle_classes]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    if waits:
        seconds = int(max(wait or 60 for wait in waits))
        raise DomainError(
            _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds},
            code="throttled",
            status=429,
        )
