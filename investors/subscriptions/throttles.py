from kernel.throttles import PerUserThrottle


class SubscribeThrottle(PerUserThrottle):
    """Subscription attempts per investor, refused or not."""

    scope = "subscribe"
