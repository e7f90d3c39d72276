from django.utils.functional import SimpleLazyObject

from emails import selectors


def unread_notifications(request) -> dict:
    """The unread count beside "Notifications" in the site's menu: one indexed count, made only by a page that
    shows the menu to a signed-in user (the admin's pages never ask)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_notification_count(user))}
