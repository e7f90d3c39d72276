from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from emails import selectors, services

PAGE_SIZE = 20


@login_required
def notifications(request):
    """What the platform has emailed the user, newest first; the ones on this page are read from now on (they are
    marked after the page's rows are read, so they still show as new this once)."""
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    services.notifications_mark_read(recipient=request.user, ids=[email.pk for email in shown if email.read_at is None])
    return render(request, "emails/notifications.html", {"page": page, "notifications": shown})
