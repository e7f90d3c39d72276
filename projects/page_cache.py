"""The anonymous offering list and offering pages, served from the cache (settings.CACHES, the shared Redis at
CACHE_URL in production) during a crowd: rendering them reads the database, serving them from here does not.

A cached page is keyed by its path and query, the language, and two versions: the offering's own and the list's.
`offering_pages_changed` bumps both after the commit of a change that shows on the pages (capacity, money raised,
status, holds, updates), so such a change shows at once on the next request. Anything else (a statement, a question,
a document) shows within settings.PAGE_CACHE_SECONDS (2 s), the life of a cached page; so does everything when CACHE_URL is not set and
each process keeps its own cache. Signed-in visitors, and anonymous ones carrying a session or messages, are never
served from here; the CSRF token in a cached page is replaced by the visitor's own."""

from __future__ import annotations

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

LIST_VERSION = "pages:offerings"
TOKEN_PLACEHOLDER = "\x00csrf\x00"
_TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _offering_version(offering_id: int) -> str:
    return f"pages:offering:{offering_id}"


def offering_pages_changed(*, offering_id: int) -> None:
    """After the current transaction commits, the offering's page and the list are rendered afresh."""

    def bump() -> None:
        cache.set_many({LIST_VERSION: time.time_ns(), _offering_version(offering_id): time.time_ns()}, None)

    transaction.on_commit(bump)


def _servable(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cached_for_anonymous(view):
    """Serve `view` (taking an optional `pk`, the offering's) to anonymous visitors from the cache."""

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        if not _servable(request):
            return view(request, *args, **kwargs)
        names = [LIST_VERSION] + ([_offering_version(kwargs["pk"])] if "pk" in kwargs else [])
        versions = cache.get_many(names)
        identity = "|".join([request.get_full_path(), request.LANGUAGE_CODE, *(str(versions.get(n)) for n in names)])
        key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content.replace(TOKEN_PLACEHOLDER, get_token(request)), content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
            content = response.content.decode(response.charset)
            token = _TOKEN_FIELD.search(content)
            if token:
                content = content.replace(token.group(1), TOKEN_PLACEHOLDER)
            cache.set(key, (content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
        return response

    return serve
