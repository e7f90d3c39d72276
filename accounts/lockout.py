"""How django-axes counts and answers failed logins: one count per username whatever its spelling, and the
contract's 429 error on the API, a page on the web, once locked out."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import User
from kernel.api_errors import error_body


def login_username(request, credentials=None) -> str | None:
    """The username as the user model compares it (NFKC, any case), so that spelling it `ＡＤＭＩＮ` or `Admin`
    adds to the same count as `admin`."""
    data = credentials if credentials else getattr(request, "data", request.POST)
    username = data.get("username")
    return User.normalize_username(username).casefold() if username else username


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    message = _("Too many failed logins. Try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("throttled", message), status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
