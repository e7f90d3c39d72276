"""What a locked-out login attempt gets back: the contract's 429 error on the API, a page on the web."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from crowdfund.api_errors import error_body


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    message = _("Too many failed logins. Try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("throttled", message), status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
